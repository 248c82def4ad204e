"""Backups of the embedded SQLite database: `flask backup [PATH]`, `flask restore PATH`.

SQLite's online backup API copies a consistent snapshot while the service runs (WAL
included), and restores the same way. PostgreSQL is backed up with pg_dump and
restored with pg_restore (README.md, "Backups").
"""
import datetime
import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


def sqlite_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "flask backup copies the embedded SQLite database; for PostgreSQL use pg_dump "
            "and pg_restore (README.md, Backups)")
    return Path(url.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy one SQLite database onto another, page by page, as one consistent snapshot."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@click.command("backup")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup(path):
    """Back the SQLite database up to PATH (default: instance/backups/libnet-TIMESTAMP.db)."""
    database = sqlite_path()
    if path is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(current_app.config["INSTANCE_DIR"]) / "backups" / f"libnet-{stamp}.db"
    if path.exists():
        raise click.ClickException(f"{path} exists already")
    path.parent.mkdir(parents=True, exist_ok=True)
    copy_database(database, path)
    click.echo(f"backed up {database} to {path}")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="Replace every record of the database with the backup?")
def restore(path):
    """Replace the SQLite database's contents with the backup at PATH."""
    try:
        with closing(sqlite3.connect(path)) as check:
            sound = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        sound = False
    if not sound:
        raise click.ClickException(f"{path} is not a sound SQLite database")
    database = sqlite_path()
    copy_database(path, database)
    click.echo(f"restored {database} from {path}")
