"""Mutuo Aiuto: the web service of a municipal Family Hub.

``create_app`` is the only entry point of the web app. Its imports live inside
the function so that ``mutuo_aiuto.matching`` (pure Python + networkx) can be
imported and run from the command line without loading Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from mutuo_aiuto.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from settings (read from the environment when not given)."""
    from flask import Flask

    from mutuo_aiuto import cli, config, extensions, i18n, mail_rendering, security, web

    settings = settings or config.Settings.from_env()
    app = Flask(__name__, instance_path=settings.instance_path or None,
                template_folder="web/templates", static_folder="web/static")
    settings = settings.with_instance(app.instance_path)
    app.config.from_mapping(config.flask_config(settings))
    extensions.init_app(app, settings)
    i18n.init_app(app)
    security.init_app(app, settings)
    web.init_app(app)
    mail_rendering.init_app(app, settings.base_url)
    _install_clock(app, settings)
    cli.init_app(app)
    return app


def _install_clock(app: Flask, settings: Settings) -> None:
    """The Hub's one clock, in the zone of the settings: views read it through
    ``web.helpers.hub_clock``, jobs from their context, services from ``hubtime``."""
    from flask import appcontext_pushed

    from mutuo_aiuto.services import hubtime

    app.extensions[hubtime.EXTENSION] = hubtime.HubClock.from_settings(settings)
    hubtime.install(app.extensions[hubtime.EXTENSION])
    appcontext_pushed.connect(_use_clock, app)


def _use_clock(app: Flask, **_: object) -> None:
    # Several apps in one process (the tests): each context reads its own app's clock.
    from mutuo_aiuto.services import hubtime

    hubtime.install(app.extensions[hubtime.EXTENSION])
