"""Administration: neighbourhoods and their adjacency, categories of help, skills.

Administrators only. Every change goes through ``services.places`` or
``services.catalogue``; a refused change is shown on its field and saves nothing.
Rows are addressed by their slug (they have no public id and are not private).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Category, Neighbourhood, Skill
from mutuo_aiuto.services import catalogue, places
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.web.access import admin_required
from mutuo_aiuto.web.admin.forms import (
    CategoryForm,
    NeighbourhoodForm,
    SkillForm,
    fill_names,
    names_from,
)
from mutuo_aiuto.web.filters import label

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def check_admin() -> None:
    """Every page of the blueprint is for administrators, even one added later."""


def render_form(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    """A form page; a POST that got here was refused, so it answers 400."""
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def show_error(form: FlaskForm, error: DomainError) -> None:
    db.session.rollback()
    # str(): the macros print only plain strings, not lazy ones.
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error.message)]
    else:
        flash(str(error.message), "error")


def found(getter: Callable[..., Any], slug: str) -> Any:
    try:
        return getter(db.session, slug)
    except NotFound:
        abort(404)


# Administration pages of other features, linked from the overview once registered.
OTHER_PAGES = (
    ("users.index", _l("Accounts and roles")),
    ("facilitator.weights", _l("Matching weights")),
    ("users.audit_trail", _l("Audit trail")),
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
    """Save on a valid POST and answer with a redirect; None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        place = places.save_neighbourhood(db.session, place, name=form.name.data,
                                          slug=form.slug.data, active=form.active.data)
        places.set_neighbours(db.session, place, form.neighbours.data or [])
    except DomainError as error:
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("Neighbourhood “%(name)s” saved.", name=place.name), "success")
    return redirect(url_for(".neighbourhoods"))


@bp.route("/neighbourhoods/new", methods=["GET", "POST"])
def new_neighbourhood() -> Any:
    form = NeighbourhoodForm()
    form.neighbours.choices = neighbour_choices(None)
    return save_place_form(form, None) or render_form("admin/neighbourhood_form.html", form,
                                                      place=None)


@bp.route("/neighbourhoods/<slug>/edit", methods=["GET", "POST"])
def edit_neighbourhood(slug: str) -> Any:
    place = found(places.get_neighbourhood, slug)
    form = NeighbourhoodForm(obj=place)
    form.neighbours.choices = neighbour_choices(place)
    if request.method == "GET":
        form.neighbours.data = [other.slug for other in places.neighbours(db.session, place)]
    return save_place_form(form, place) or render_form(
        "admin/neighbourhood_form.html", form, place=place,
        in_use=places.neighbourhood_in_use(db.session, place))


@bp.post("/neighbourhoods/<slug>/deactivate")
def deactivate_neighbourhood(slug: str) -> Response:
    place = found(places.get_neighbourhood, slug)
    places.deactivate_neighbourhood(db.session, place)
    db.session.commit()
    flash(_("Neighbourhood “%(name)s” deactivated.", name=place.name), "success")
    return redirect(url_for(".neighbourhoods"))


@bp.post("/neighbourhoods/<slug>/delete")
def delete_neighbourhood(slug: str) -> Response:
    place = found(places.get_neighbourhood, slug)
    name = place.name
    try:
        places.delete_neighbourhood(db.session, place)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".edit_neighbourhood", slug=slug))
    db.session.commit()
    flash(_("Neighbourhood “%(name)s” deleted.", name=name), "success")
    return redirect(url_for(".neighbourhoods"))


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
        remote=form.remote.data, active=form.active.data, position=form.position.data or 0)


def save_category_form(form: CategoryForm, category: Category | None) -> Response | None:
    if not form.validate_on_submit():
        return None
    try:
        if category is None:
            category = catalogue.create_category(db.session, category_data(form))
        else:
            catalogue.update_category(db.session, category, category_data(form))
    except DomainError as error:
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("Category “%(name)s” saved.", name=category.name), "success")
    return redirect(url_for(".categories"))


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category() -> Any:
    form = CategoryForm()
    return save_category_form(form, None) or render_form("admin/category_form.html", form,
                                                         category=None)


@bp.route("/categories/<slug>/edit", methods=["GET", "POST"])
def edit_category(slug: str) -> Any:
    category = found(catalogue.get_category, slug)
    form = CategoryForm(obj=category)
    if request.method == "GET":
        fill_names(form, catalogue.names_of(category))
    return save_category_form(form, category) or render_form(
        "admin/category_form.html", form, category=category,
        in_use=catalogue.category_in_use(db.session, category))


@bp.post("/categories/<slug>/deactivate")
def deactivate_category(slug: str) -> Response:
    category = found(catalogue.get_category, slug)
    catalogue.deactivate_category(db.session, category)
    db.session.commit()
    flash(_("Category “%(name)s” deactivated.", name=category.name), "success")
    return redirect(url_for(".categories"))


@bp.post("/categories/<slug>/delete")
def delete_category(slug: str) -> Response:
    category = found(catalogue.get_category, slug)
    name = category.name
    try:
        catalogue.delete_category(db.session, category)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".edit_category", slug=slug))
    db.session.commit()
    flash(_("Category “%(name)s” deleted.", name=name), "success")
    return redirect(url_for(".categories"))


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
    if not form.validate_on_submit():
        return None
    try:
        if skill is None:
            skill = catalogue.create_skill(db.session, skill_data(form))
        else:
            catalogue.update_skill(db.session, skill, skill_data(form))
    except DomainError as error:
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("Skill “%(name)s” saved.", name=skill.name), "success")
    return redirect(url_for(".skills"))


@bp.route("/skills/new", methods=["GET", "POST"])
def new_skill() -> Any:
    form = SkillForm()
    form.category.choices = category_choices()
    return save_skill_form(form, None) or render_form("admin/skill_form.html", form, skill=None)


@bp.route("/skills/<slug>/edit", methods=["GET", "POST"])
def edit_skill(slug: str) -> Any:
    skill = found(catalogue.get_skill, slug)
    form = SkillForm(obj=skill)
    form.category.choices = category_choices()
    if request.method == "GET":
        fill_names(form, catalogue.names_of(skill))
        form.category.data = skill.category.slug if skill.category else ""
    return save_skill_form(form, skill) or render_form(
        "admin/skill_form.html", form, skill=skill,
        in_use=catalogue.skill_in_use(db.session, skill))


@bp.post("/skills/<slug>/deactivate")
def deactivate_skill(slug: str) -> Response:
    skill = found(catalogue.get_skill, slug)
    catalogue.deactivate_skill(db.session, skill)
    db.session.commit()
    flash(_("Skill “%(name)s” deactivated.", name=skill.name), "success")
    return redirect(url_for(".skills"))


@bp.post("/skills/<slug>/delete")
def delete_skill(slug: str) -> Response:
    skill = found(catalogue.get_skill, slug)
    name = skill.name
    try:
        catalogue.delete_skill(db.session, skill)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".edit_skill", slug=slug))
    db.session.commit()
    flash(_("Skill “%(name)s” deleted.", name=name), "success")
    return redirect(url_for(".skills"))
