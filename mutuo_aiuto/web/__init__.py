"""The web layer: blueprints, forms, templates and static files.

Views stay thin: validate a form, call a service, flash, redirect.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from mutuo_aiuto.web import charts, errors, filters, hub_check, navigation, static_files
from mutuo_aiuto.web.activities.views import bp as activities_bp
from mutuo_aiuto.web.admin.views import bp as admin_bp
from mutuo_aiuto.web.api.auth import ApiSessions
from mutuo_aiuto.web.api.views import bp as api_bp
from mutuo_aiuto.web.associations.views import bp as associations_bp
from mutuo_aiuto.web.auth.views import bp as auth_bp
from mutuo_aiuto.web.desk.views import bp as desk_bp
from mutuo_aiuto.web.facilitator.views import bp as facilitator_bp
from mutuo_aiuto.web.families.views import bp as families_bp
from mutuo_aiuto.web.followups.views import bp as followups_bp
from mutuo_aiuto.web.groups.views import bp as groups_bp
from mutuo_aiuto.web.inbox.views import bp as inbox_bp
from mutuo_aiuto.web.main.views import bp as main_bp
from mutuo_aiuto.web.privacy.views import bp as privacy_bp
from mutuo_aiuto.web.users.views import bp as users_bp
from mutuo_aiuto.web.week.views import bp as week_bp

BLUEPRINTS: tuple[Blueprint, ...] = (main_bp, auth_bp, families_bp, admin_bp, week_bp,
                                     followups_bp, privacy_bp, users_bp)
BLUEPRINTS += (facilitator_bp, inbox_bp, groups_bp, activities_bp)
BLUEPRINTS += (associations_bp, desk_bp, api_bp)


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    charts.init_app(app)
    # Cookie sessions everywhere but the API, which a token opens (``web/api/auth.py``).
    app.session_interface = ApiSessions()
    errors.init_app(app)
    filters.init_app(app)
    hub_check.init_app(app)
    navigation.init_app(app)
    static_files.init_app(app)
