"""Libnet: a multi-tenant admin service for public-library networks."""
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect
from flask_babel import lazy_gettext as _l

from flask_appbuilder import AppBuilder

from . import errors, i18n
from .extensions import db, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config")
    if test_config:
        app.config.update(test_config)

    from .security.roles import fab_roles

    app.config["FAB_ROLES"] = fab_roles()
    app.config.setdefault("TENANCY_ORM_LAYER", True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    with app.app_context():
        from . import models  # noqa: F401  (mapped before the security manager starts)
        from .security import models as _security_models  # noqa: F401

        # Alembic owns the schema. Before the first migration (`flask db upgrade`)
        # there are no tables to keep permissions and roles in: that step waits.
        # Roles first, then the permissions of every view, Admin's included.
        appbuilder = AppBuilder(app, db.session, update_perms=False)
        i18n.init_app(app)
        errors.init_app(app)
        _register_views(appbuilder)
        if app.config["FAB_UPDATE_PERMS"] and inspect(db.engine).has_table("ab_permission_view"):
            appbuilder.sm.sync_roles()
            appbuilder.add_permissions(update_perms=True)

    from .cli import register as register_cli

    register_cli(app)
    return app


def _register_views(ab) -> None:
    from .api.records import (
        ClubApi, ContestApi, ContestEntryApi, LibraryApi, OutreachApi, StaffApi, TenantApi,
    )
    from .security.users import AccountView
    from .views.club import ClubView
    from .views.contest import ContestEntryView, ContestView
    from .views.library import LibraryView
    from .views.outreach import OutreachView
    from .views.staff import StaffView
    from .views.tenant import TenantView

    menu = [
        (LibraryView, "Libraries", _l("Libraries"), "fa-university"),
        (StaffView, "Staff", _l("Staff"), "fa-id-badge"),
        (ClubView, "Clubs", _l("Clubs"), "fa-users"),
        (OutreachView, "Outreach", _l("Outreach"), "fa-truck"),
        (ContestView, "Contests", _l("Contests"), "fa-trophy"),
        (ContestEntryView, "Contest entries", _l("Contest entries"), "fa-file-text-o"),
        (TenantView, "Tenants", _l("Regions and districts"), "fa-sitemap"),
        (AccountView, "Accounts", _l("User accounts"), "fa-user"),
    ]
    for view, name, label, icon in menu:
        ab.add_view(view, name, label=label, icon=icon, category="Network",
                    category_label=_l("Network"))
    for api in (TenantApi, LibraryApi, StaffApi, ClubApi, OutreachApi, ContestApi, ContestEntryApi):
        ab.add_api(api)
