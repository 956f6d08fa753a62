"""Administration: neighbourhoods and their adjacency, categories of help, skills.

Administrators only. Every change goes through ``services.places`` or
``services.catalogue``; a refused change is shown on its field and saves nothing.
Rows are addressed by their slug (they have no public id and are not private).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Category, Neighbourhood, Skill
from mutuo_aiuto.services import catalogue, places
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.web.access import admin_required
from mutuo_aiuto.web.admin.forms import (
    CategoryForm,
    NeighbourhoodForm,
    SkillForm,
    fill_names,
    names_from,
)
from mutuo_aiuto.web.filters import label
from mutuo_aiuto.web.helpers import form_page, found_or_404, refused

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def check_admin() -> None:
    """Every page of the blueprint is for administrators, even one added later."""


@dataclass(frozen=True)
class Table:
    """One administered list, as far as the shared steps care."""

    get: Callable[[Session, str], Any]
    deactivate: Callable[[Session, Any], None]
    delete: Callable[[Session, Any], None]
    page: str  # the list's endpoint
    edit_page: str


PLACES = Table(places.get_neighbourhood, places.deactivate_neighbourhood,
               places.delete_neighbourhood, ".neighbourhoods", ".edit_neighbourhood")
CATEGORIES = Table(catalogue.get_category, catalogue.deactivate_category,
                   catalogue.delete_category, ".categories", ".edit_category")
SKILLS = Table(catalogue.get_skill, catalogue.deactivate_skill, catalogue.delete_skill,
               ".skills", ".edit_skill")


def named(message: Any, name: str) -> str:
    # ``message`` is lazy, its %(name)s filled here: what gettext(message, name=name) gives.
    return str(message) % {"name": name}


def save_form(table: Table, form: FlaskForm, save: Callable[[], Any],
              saved: Any) -> Response | None:
    """Save on a valid POST and answer with a redirect; None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        row = save()
    except DomainError as error:
        refused(form, error)
        return None
    db.session.commit()
    flash(named(saved, row.name), "success")
    return redirect(url_for(table.page))


def deactivate(table: Table, slug: str, done: Any) -> Response:
    row = found_or_404(table.get, slug)
    table.deactivate(db.session, row)
    db.session.commit()
    flash(named(done, row.name), "success")
    return redirect(url_for(table.page))


def delete(table: Table, slug: str, done: Any) -> Response:
    """Delete for good; a row others refer to stays, and its edit page says why."""
    row = found_or_404(table.get, slug)
    name = row.name  # the row cannot be read once the delete is committed
    try:
        table.delete(db.session, row)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(table.edit_page, slug=slug))
    db.session.commit()
    flash(named(done, name), "success")
    return redirect(url_for(table.page))


# Administration pages of other features, linked from the overview once registered.
OTHER_PAGES = (
    ("users.index", _l("Accounts and roles")),
    ("facilitator.weights", _l("Matching weights")),
    ("users.audit_trail", _l("Audit trail")),
    ("admin.api_tokens_page", _l("API tokens")),
)


@bp.get("")
def index() -> str:
    others = [(endpoint, text) for endpoint, text in OTHER_PAGES
              if endpoint in current_app.view_functions]
    return render_template(
        "admin/index.html", others=others,
        neighbourhoods=len(places.list_neighbourhoods(db.session)),
        categories=len(catalogue.list_categories(db.session)),
        skills=len(catalogue.list_skills(db.session)))


# ---- neighbourhoods ------------------------------------------------------------


@bp.get("/neighbourhoods")
def neighbourhoods() -> str:
    rows = places.list_neighbourhoods(db.session)
    return render_template("admin/neighbourhoods.html", places=rows,
                           neighbours={place.id: places.neighbours(db.session, place)
                                       for place in rows})


def neighbour_choices(place: Neighbourhood | None) -> list[SelectChoice]:
    return [SelectChoice(other.slug, other.name if other.active
                         else _("%(name)s (inactive)", name=other.name))
            for other in places.list_neighbourhoods(db.session)
            if place is None or other.id != place.id]


def save_place_form(form: NeighbourhoodForm, place: Neighbourhood | None) -> Response | None:
    def save() -> Neighbourhood:
        saved = places.save_neighbourhood(db.session, place, name=form.name.data,
                                          slug=form.slug.data, active=form.active.data)
        places.set_neighbours(db.session, saved, form.neighbours.data or [])
        return saved

    return save_form(PLACES, form, save, _l("Neighbourhood “%(name)s” saved."))


@bp.route("/neighbourhoods/new", methods=["GET", "POST"])
def new_neighbourhood() -> ResponseReturnValue:
    form = NeighbourhoodForm()
    form.neighbours.choices = neighbour_choices(None)
    return save_place_form(form, None) or form_page("admin/neighbourhood_form.html", form=form,
                                                    place=None)


@bp.route("/neighbourhoods/<slug>/edit", methods=["GET", "POST"])
def edit_neighbourhood(slug: str) -> ResponseReturnValue:
    place = found_or_404(PLACES.get, slug)
    form = NeighbourhoodForm(obj=place)
    form.neighbours.choices = neighbour_choices(place)
    if request.method == "GET":
        form.neighbours.data = [other.slug for other in places.neighbours(db.session, place)]
    return save_place_form(form, place) or form_page(
        "admin/neighbourhood_form.html", form=form, place=place,
        in_use=places.neighbourhood_in_use(db.session, place))


@bp.post("/neighbourhoods/<slug>/deactivate")
def deactivate_neighbourhood(slug: str) -> Response:
    return deactivate(PLACES, slug, _l("Neighbourhood “%(name)s” deactivated."))


@bp.post("/neighbourhoods/<slug>/delete")
def delete_neighbourhood(slug: str) -> Response:
    return delete(PLACES, slug, _l("Neighbourhood “%(name)s” deleted."))


# ---- categories ----------------------------------------------------------------


@bp.get("/categories")
def categories() -> str:
    return render_template("admin/categories.html",
                           categories=catalogue.list_categories(db.session),
                           skill_counts=catalogue.count_skills(db.session),
                           kind_label=catalogue.kind_label)


def category_data(form: CategoryForm) -> catalogue.CategoryData:
    return catalogue.CategoryData(
        names=names_from(form), slug=form.slug.data or "", kind=form.kind.data,
        icon=form.icon.data, requires_vetted=form.requires_vetted.data,
        remote=form.remote.data, active=form.active.data, position=form.position.data or 0,
        default_skills=tuple(form.default_skills.data or ()))


def category_form(category: Category | None) -> CategoryForm:
    """The form, its default skills offered from the active skills (and those already set)."""
    form = CategoryForm(obj=category)
    chosen = {skill.slug for skill in category.default_skills} if category else set()
    form.default_skills.choices = [
        SelectChoice(skill.slug, label(skill))
        for skill in catalogue.list_skills(db.session)
        if skill.active or skill.slug in chosen]
    if category is not None and request.method == "GET":
        form.default_skills.data = sorted(chosen)
    return form


def save_category_form(form: CategoryForm, category: Category | None) -> Response | None:
    def save() -> Category:
        if category is None:
            return catalogue.create_category(db.session, category_data(form))
        return catalogue.update_category(db.session, category, category_data(form))

    return save_form(CATEGORIES, form, save, _l("Category “%(name)s” saved."))


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category() -> ResponseReturnValue:
    form = category_form(None)
    return save_category_form(form, None) or form_page("admin/category_form.html", form=form,
                                                       category=None)


@bp.route("/categories/<slug>/edit", methods=["GET", "POST"])
def edit_category(slug: str) -> ResponseReturnValue:
    category = found_or_404(CATEGORIES.get, slug)
    form = category_form(category)
    if request.method == "GET":
        fill_names(form, catalogue.names_of(category))
    return save_category_form(form, category) or form_page(
        "admin/category_form.html", form=form, category=category,
        in_use=catalogue.category_in_use(db.session, category))


@bp.post("/categories/<slug>/deactivate")
def deactivate_category(slug: str) -> Response:
    return deactivate(CATEGORIES, slug, _l("Category “%(name)s” deactivated."))


@bp.post("/categories/<slug>/delete")
def delete_category(slug: str) -> Response:
    return delete(CATEGORIES, slug, _l("Category “%(name)s” deleted."))


# ---- skills --------------------------------------------------------------------


@bp.get("/skills")
def skills() -> str:
    return render_template("admin/skills.html", skills=catalogue.list_skills(db.session))


def category_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("No category"))] + [
        SelectChoice(category.slug, label(category))
        for category in catalogue.list_categories(db.session)]


def skill_data(form: SkillForm) -> catalogue.SkillData:
    return catalogue.SkillData(names=names_from(form), slug=form.slug.data or "",
                               category=form.category.data or "", active=form.active.data,
                               position=form.position.data or 0)


def save_skill_form(form: SkillForm, skill: Skill | None) -> Response | None:
    def save() -> Skill:
        if skill is None:
            return catalogue.create_skill(db.session, skill_data(form))
        return catalogue.update_skill(db.session, skill, skill_data(form))

    return save_form(SKILLS, form, save, _l("Skill “%(name)s” saved."))


@bp.route("/skills/new", methods=["GET", "POST"])
def new_skill() -> ResponseReturnValue:
    form = SkillForm()
    form.category.choices = category_choices()
    return save_skill_form(form, None) or form_page("admin/skill_form.html", form=form, skill=None)


@bp.route("/skills/<slug>/edit", methods=["GET", "POST"])
def edit_skill(slug: str) -> ResponseReturnValue:
    skill = found_or_404(SKILLS.get, slug)
    form = SkillForm(obj=skill)
    form.category.choices = category_choices()
    if request.method == "GET":
        fill_names(form, catalogue.names_of(skill))
        form.category.data = skill.category.slug if skill.category else ""
    return save_skill_form(form, skill) or form_page(
        "admin/skill_form.html", form=form, skill=skill,
        in_use=catalogue.skill_in_use(db.session, skill))


@bp.post("/skills/<slug>/deactivate")
def deactivate_skill(slug: str) -> Response:
    return deactivate(SKILLS, slug, _l("Skill “%(name)s” deactivated."))


@bp.post("/skills/<slug>/delete")
def delete_skill(slug: str) -> Response:
    return delete(SKILLS, slug, _l("Skill “%(name)s” deleted."))


# API tokens live in their own module; importing it adds its routes to this blueprint.
from mutuo_aiuto.web.admin import tokens  # noqa: E402,F401
