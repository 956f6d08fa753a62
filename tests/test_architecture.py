"""The package's layers, read from its source with ``ast``: imports point one way.

``web → services → models, matching``; a blueprint never reaches into another
blueprint's views; the matcher stays pure Python; and every permission check
is written in ``services/policy.py`` only. Nothing here imports the app: the
files are parsed, not run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mutuo_aiuto"
ROOT = "mutuo_aiuto"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(module: str) -> Iterator[tuple[str, int]]:
    """Every module ``module`` imports (anywhere in the file), with its line."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                # ``from mutuo_aiuto.web import helpers`` imports the module itself.
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}", node.lineno


def _within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _wrong_arrows(sources: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    return [f"{module}:{line} imports {target}"
            for module in MODULES if _within(module, *sources)
            for target, line in _imports(module) if _within(target, *targets)]


def _blueprint(module: str) -> str | None:
    """``families`` for ``mutuo_aiuto.web.families.need_views``; None outside a blueprint."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "web" and f"{ROOT}.web.{parts[2]}" in MODULES and (
            MODULES[f"{ROOT}.web.{parts[2]}"].name == "__init__.py"):
        return parts[2]
    return None


def _is_views(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return _blueprint(module) is not None and (last == "views" or last.endswith("_views"))


def test_the_walk_sees_the_package():
    # A guard for the tests below: an empty walk would pass them all.
    assert {"mutuo_aiuto.services.policy", "mutuo_aiuto.web.helpers",
            "mutuo_aiuto.web.facilitator.views", "mutuo_aiuto.matching"} <= set(MODULES)
    imported = {name for name, _ in _imports("mutuo_aiuto.services.matches")}
    assert {"mutuo_aiuto.services.policy", "mutuo_aiuto.models"} <= imported


def test_no_blueprint_imports_another_blueprints_views():
    # Only the app's web package registers the blueprints; shared pieces live in
    # web/helpers.py, web/filters.py or a service.
    wrong = [f"{module}:{line} imports {target}"
             for module in MODULES if module != f"{ROOT}.web"
             for target, line in _imports(module)
             if _is_views(target) and _blueprint(target) != _blueprint(module)]
    assert wrong == []


def test_services_models_and_matching_know_nothing_of_the_web():
    layers = (f"{ROOT}.services", f"{ROOT}.models", f"{ROOT}.matching")
    assert _wrong_arrows(layers, (f"{ROOT}.web",)) == []


def test_the_matcher_is_pure_python():
    banned = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "flask_wtf",
              "sqlalchemy", f"{ROOT}.models", f"{ROOT}.services", f"{ROOT}.web",
              f"{ROOT}.extensions", f"{ROOT}.i18n")
    assert _wrong_arrows((f"{ROOT}.matching",), banned) == []


def test_services_do_not_import_the_request_bound_i18n():
    assert _wrong_arrows((f"{ROOT}.services", f"{ROOT}.models"), (f"{ROOT}.i18n",)) == []


# ---- no Flask below the web ----------------------------------------------------------------

LOWER_LAYERS = (f"{ROOT}.services", f"{ROOT}.models", f"{ROOT}.matching")
# The web framework, its request-bound helpers, and the app's own web-facing modules.
WEB_ONLY = ("flask", "werkzeug", "flask_login", "flask_wtf", "wtforms", f"{ROOT}.i18n",
            f"{ROOT}.security", f"{ROOT}.mail_rendering", f"{ROOT}.web", f"{ROOT}.cli",
            f"{ROOT}.jobs", f"{ROOT}.scheduler")
# Flask-Babel's translation functions read no request: lazy ones translate when shown,
# the others in whatever language is active (a request's, or ``force_locale``'s).
BABEL_ALLOWED = frozenset({"gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext",
                           "lazy_pgettext", "npgettext", "lazy_npgettext", "LazyString",
                           "format_date", "format_datetime", "format_decimal"})
# Each remaining import from a web-only package below the web, and why it stays.
FLASK_EXCEPTIONS = {
    # Flask-Login's user protocol (is_authenticated, get_id): attributes, no request.
    f"{ROOT}.models.user imports flask_login.UserMixin",
    # The active language, to pick the catalogue's names: a request's or force_locale's.
    f"{ROOT}.services.reasons imports flask_babel.get_locale",
    f"{ROOT}.services.calendar_feed imports flask_babel.get_locale",
    # The calendar feed is written in its owner's language, whoever's app fetches it.
    f"{ROOT}.services.calendar_feed imports flask_babel.force_locale",
    # The sign-in code's SMS is written in the account's language, whoever asked for it.
    f"{ROOT}.services.phone_signin imports flask_babel.force_locale",
}


def _flask_imports(module: str) -> Iterator[str]:
    """``module imports package.name`` for each name taken from a web-only or Babel package."""
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _within(alias.name, *WEB_ONLY, "flask_babel"):
                    yield f"{module} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                if _within(node.module, *WEB_ONLY) or (
                        node.module == "flask_babel" and alias.name not in BABEL_ALLOWED):
                    yield f"{module} imports {node.module}.{alias.name}"


def test_services_models_and_matching_import_nothing_of_flask():
    found = {line for module in MODULES if _within(module, *LOWER_LAYERS)
             for line in _flask_imports(module)}
    assert sorted(found - FLASK_EXCEPTIONS) == []
    # Every exception still exists: a stale entry would hide a new import.
    assert found >= FLASK_EXCEPTIONS


def test_the_flask_walk_sees_an_import():
    # A guard for the test above: the walk must see a web module's Flask imports.
    assert f"{ROOT}.web.helpers imports flask.current_app" in set(
        _flask_imports(f"{ROOT}.web.helpers"))


# ---- every permission check in policy.py ------------------------------------------------

POLICY = f"{ROOT}.services.policy"
PERMISSION_PREFIXES = ("require_", "can_", "is_")

# Predicates that share a prefix but decide no permission, each with why it stays.
NOT_PERMISSIONS = {
    f"{ROOT}.models.user.is_active",  # Flask-Login's "account not deactivated" flag
    f"{ROOT}.models.user.is_facilitator",  # the role column read as a fact; policy decides
    f"{ROOT}.models.user.is_admin",  # likewise
    f"{ROOT}.config.is_development",  # which environment the app runs in
    f"{ROOT}.services.slots.is_date",  # a value's type
    f"{ROOT}.services.vetting.is_vetted",  # a fact the matcher weighs, not an access rule
    f"{ROOT}.services.vetting._is_last",  # whether a vetting is a household's newest
    f"{ROOT}.matching.market.is_full",  # capacity inside the matcher
    f"{ROOT}.matching.diagnose.is_free",  # a time slot inside the matcher
    f"{ROOT}.web.week.agenda.is_session",  # what an agenda entry shows
    f"{ROOT}.security.require_current_consent",  # a request hook that asks for consent
}


def _permission_like_functions() -> Iterator[str]:
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    node.name.lstrip("_").startswith(PERMISSION_PREFIXES)):
                yield f"{module}.{node.name}"


def test_permission_checks_are_defined_only_in_policy():
    outside = sorted(name for name in _permission_like_functions()
                     if not name.startswith(POLICY + ".") and name not in NOT_PERMISSIONS)
    assert outside == []


def test_policy_has_the_require_family():
    defined = set(_permission_like_functions())
    assert {f"{POLICY}.require_facilitator", f"{POLICY}.require_admin",
            f"{POLICY}.can_see_contacts"} <= defined
    # Every exception in the list above still exists: a stale entry would hide a new copy.
    assert defined >= NOT_PERMISSIONS
