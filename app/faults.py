"""Faults of the database: a page that says so instead of a traceback, and SQLite set up
for several writers at once.

When the database cannot be reached, every request answers 503 (a translated page, or
JSON under /api/) until it can again: `pool_pre_ping` replaces dead connections, so
the service recovers by itself.
"""
import sqlite3

from flask import current_app, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .extensions import db

UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER = "30"  # seconds
SQLITE_BUSY_TIMEOUT_MS = 15000  # a writer waits this long for another one to finish


def init_app(app) -> None:
    for error in UNAVAILABLE:
        app.register_error_handler(error, _unavailable)


def tables_ready(engine, table: str) -> bool:
    """Does `table` exist? False, with a warning, when the database cannot be reached:
    the service starts anyway and answers 503 until the database is back."""
    try:
        return inspect(engine).has_table(table)
    except UNAVAILABLE as error:
        current_app.logger.warning("database unreachable at start, roles not synced: %s",
                                   str(error).splitlines()[0])
        return False


def _unavailable(error):
    current_app.logger.error("database unavailable: %s", str(error).splitlines()[0])
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        pass
    # The signed-in user cannot be loaded now: the page is rendered for a visitor.
    g._login_user = current_app.login_manager.anonymous_user()
    message = _("The database is not available right now. Please try again in a minute.")
    headers = {"Retry-After": RETRY_AFTER}
    if request.path.startswith("/api/"):
        return {"message": message}, 503, headers
    return render_template("unavailable.html", message=message), 503, headers


@event.listens_for(Engine, "connect")
def _sqlite_for_several_writers(dbapi_connection, _record):
    """SQLite: readers do not block the writer (WAL), and a writer waits for another
    one instead of failing at once with "database is locked"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
