"""Libnet: a multi-tenant admin service for public-library networks."""
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from flask_appbuilder import AppBuilder

from . import errors, faults, i18n, public, search
from .views import frame, menu
from .api import answers
from .extensions import db, enforce_foreign_keys, migrate
from .tenancy.session import unrestricted


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    from . import logs

    logs.init_app(app)  # before FAB starts: its advice for other setups is not logged
    app.config.from_object("config")
    # FAB's templates indent deeply: without this, a list page is a third blank space.
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    if test_config:
        app.config.update(test_config)

    from .security import hardening, limits
    from .security.roles import fab_roles

    app.config["FAB_ROLES"] = fab_roles()
    app.config.setdefault("FAB_INDEX_VIEW", "app.reports.views.DashboardView")  # the page after login
    from . import requests

    requests.init_app(app)  # first of all hooks: a crafted body is refused before anything reads it
    hardening.init_app(app)  # before FAB: its APIs exempt themselves from CSRF checks
    app.config.setdefault("TENANCY_ORM_LAYER", True)

    db.init_app(app)
    search.init_app(app)  # SQLite's connections learn the case fold of text searches
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    with app.app_context():
        enforce_foreign_keys(db.engine)  # before its first connection
        from . import models  # noqa: F401  (mapped before the security manager starts)
        from .security import models as _security_models  # noqa: F401
        from . import audit  # noqa: F401  (the trail of every change)
        from . import mail  # noqa: F401  (letters leave after the commit they tell of)

        # Alembic owns the schema. Before the first migration (`flask db upgrade`)
        # there are no tables to keep permissions and roles in: that step waits.
        # Roles first, then the permissions of every view, Admin's included.
        appbuilder = AppBuilder(app, db.session, update_perms=False)
        i18n.init_app(app)
        menu.init_app(app)
        frame.init_app(app)
        errors.init_app(app)
        answers.init_app(app)  # one shape for every API refusal; the token checks' answers
        faults.init_app(app)
        limits.init_app(appbuilder)
        public.init_app(app, appbuilder)  # the visitors' pages, limited by FAB's limiter as the logins are
        requests.init_views(app)  # after the security manager's hook: the user and its scope
        _register_views(appbuilder)
        if app.config["FAB_UPDATE_PERMS"] and faults.tables_ready(db.engine, "ab_permission_view"):
            with unrestricted(db.session):  # the service's own roles: audited, as the operator
                appbuilder.sm.sync_roles()
                appbuilder.add_permissions(update_perms=True)

    from .cli import register as register_cli

    register_cli(app)
    return app


def _register_views(ab) -> None:
    from .api import document
    from .records import CATEGORIES, record_types

    ab.add_link("Dashboard", href="DashboardView.index", label=_l("Dashboard"), icon="fa-bar-chart")
    declared = record_types()
    for t in declared.values():  # a card lists the records of the types that ask to be listed there
        for entry in t.listed_on:
            name, _, through = entry.partition(".")  # "staff.attendees": through that relation
            card = declared[name].view
            if through:
                t.view.listed_through = {**t.view.listed_through, declared[name].table: through}
            if t.view not in (card.related_views or []):
                card.related_views = [*(card.related_views or []), t.view]
    for t in declared.values():
        ab.add_view(t.view, t.menu, label=t.menu_label, icon=t.icon, category=t.category,
                    category_label=CATEGORIES[t.category])
        for report in t.reports:
            ab.add_view_no_menu(report)
            ab.add_link(report.menu, href=f"{report.__name__}.report", label=report.menu_label,
                        icon=report.icon, category=t.category, category_label=CATEGORIES[t.category])
    from .imports.kinds import import_api

    for t in record_types().values():
        if t.api is not None:
            ab.add_api(t.api)
        elif import_api(t) is not None:  # an API that serves the type's import alone
            ab.add_api(import_api(t))
    from .api.stat_reports import StatSummaryApi  # the reports' summary, beside their API

    ab.add_api(StatSummaryApi)
    document.register(ab)
