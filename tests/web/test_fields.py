"""The quick widgets write exactly what WTForms' own would, whatever the choices."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, html_params

from mutuo_aiuto.web.fields import QuickCheckboxInput, QuickSelectField, quick_html_params

# Text with the characters HTML escapes, and a Markup value (left as it is but its quotes).
TEXT = st.one_of(st.text(alphabet="ab<>&\"' ", max_size=6),
                 st.text(alphabet="ab\"", max_size=4).map(Markup))
VALUES = st.one_of(TEXT, st.integers(-5, 5), st.booleans(), st.none())


def _forms(choices: list[SelectChoice], chosen: str | None) -> tuple[Form, Form]:
    class Plain(Form):
        field = SelectField(choices=choices)

    class Quick(Form):
        field = QuickSelectField(choices=choices)

    return Plain(data={"field": chosen}), Quick(data={"field": chosen})


@given(st.lists(st.tuples(TEXT, TEXT), max_size=5), st.integers(0, 5))
def test_a_quick_select_writes_what_wtforms_writes(pairs, pick):
    choices = [SelectChoice(value, label) for value, label in pairs]
    chosen = pairs[pick][0] if pick < len(pairs) else None
    plain, quick = _forms(choices, chosen)
    assert quick.field(class_="x") == plain.field(class_="x")


def test_an_option_with_attributes_of_its_own_is_drawn_by_wtforms():
    choices = [SelectChoice("a", "A", render_kw={"disabled": True}), SelectChoice("b", "B")]
    plain, quick = _forms(choices, "b")
    assert quick.field() == plain.field()
    assert '<option selected value="b">B</option>' in quick.field()


@given(st.dictionaries(st.sampled_from(["value", "id", "class_", "data_x", "aria_y", "checked",
                                        "name", "for_", "a<b"]), VALUES, max_size=6))
def test_quick_html_params_writes_what_html_params_writes(attributes):
    assert quick_html_params(**attributes) == html_params(**attributes)


def test_quick_checkboxes_write_what_wtforms_writes():
    choices = [SelectChoice("it", "Italiano"), SelectChoice("a\"r", "<Arabo>")]

    class Plain(Form):
        field = SelectMultipleField(choices=choices, widget=ListWidget(),
                                    option_widget=CheckboxInput())

    class Quick(Form):
        field = SelectMultipleField(choices=choices, widget=ListWidget(),
                                    option_widget=QuickCheckboxInput())

    data = {"field": ["a\"r"]}
    assert Quick(data=data).field() == Plain(data=data).field()
    assert 'checked' in Quick(data=data).field()
