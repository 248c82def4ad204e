"""The extension objects shared by every app instance, attached in create_app()."""
import sqlite3

from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from sqlalchemy import event

db = SQLA()
migrate = Migrate()


def enforce_foreign_keys(engine) -> None:
    """SQLite checks foreign keys only on a connection that asks for it, each time it
    connects: without this a row could refer to a library that is gone or was moved,
    where PostgreSQL would refuse. Only the service's own engine asks: Alembic's batch
    migrations recreate tables with their own engine and need the checks off."""

    @event.listens_for(engine, "connect")
    def _foreign_keys_on(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
