"""Faults: the database gone and back, several writers at once on SQLite, backups."""
import multiprocessing
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.backup import copy_database
from app.extensions import db
from app.tenancy.session import unrestricted

from .conftest import PASSWORD, POSTGRES, login, make_app

UNAVAILABLE = "База данных сейчас недоступна. Повторите попытку через минуту."
sqlite_only = pytest.mark.skipif(bool(POSTGRES), reason="SQLite's own file")


def sqlite_file(urls) -> Path:
    return Path(make_url(urls[0]).database)


def assert_unavailable(client, token=None, path="/libraryview/list/", api=True):
    page = client.get(path, headers={"Accept-Language": "ru"})
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert UNAVAILABLE in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    if not api:
        return
    headers = {"Accept-Language": "ru", **({"Authorization": f"Bearer {token}"} if token else {})}
    api = client.get("/api/v1/library/", headers=headers)
    assert api.status_code == 503 and api.get_json() == {"message": UNAVAILABLE}


@sqlite_only
def test_a_missing_database_answers_503_until_it_is_there(urls, tmp_path):
    database = tmp_path / "not-yet" / "libnet.db"  # no such folder: SQLite cannot open it
    url = f"sqlite:///{database}"
    app = make_app((url, url))  # the service starts all the same
    visitor = app.test_client()
    # A visitor is sent to sign in, as always (that needs no database); signing in says why it cannot.
    assert visitor.get("/libraryview/list/").headers["Location"].startswith("/login/")
    assert_unavailable(visitor, path="/login/", api=False)  # without a token the API answers 401
    database.parent.mkdir()
    copy_database(sqlite_file(urls), database)
    client = login(app, "zal.director")  # back by itself
    assert client.get("/libraryview/list/").status_code == 200


class Relay:
    """A TCP relay to PostgreSQL that can be cut (every connection dropped) and restored."""

    def __init__(self, target):
        self.target, self.port, self.sockets = target, 0, []

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        for sock in [self.listener, *self.sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets = []

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.mark.skipif(not POSTGRES, reason="a PostgreSQL server to lose and get back")
def test_the_service_answers_503_while_postgresql_is_away_and_recovers(urls):
    owner, service = urls
    url = make_url(service)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432)).start()
    try:
        via_relay = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
        app = make_app((owner, via_relay))
        client = login(app, "zal.director")
        token = app.test_client().post("/api/v1/security/login", json={
            "username": "zal.director", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
        assert client.get("/libraryview/list/").status_code == 200
        relay.stop()
        assert_unavailable(client, token)
        assert_unavailable(client, token)  # and again: no broken state left behind
        relay.start()  # the same port
        assert client.get("/libraryview/list/").status_code == 200
        assert client.get("/api/v1/library/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    finally:
        relay.stop()


# -- several writers on SQLite ---------------------------------------------------

WRITERS, ROWS = 4, 40


def _writer(url, tag, start, errors):
    from app.choices import Audience
    from app.models import Club, Library

    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "FAB_UPDATE_PERMS": False})
        with app.app_context(), unrestricted(db.session):
            library = db.session.scalars(select(Library).order_by(Library.id)).first()
            start.wait(timeout=120)
            for n in range(ROWS):
                db.session.add(Club(name=f"{tag}-{n}", audience=Audience.adults, members=n,
                                    tenant_id=library.tenant_id, library_id=library.id))
                db.session.commit()
    except Exception as error:  # reported to the test, which fails with it
        errors.put(f"{tag}: {error!r}")


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@sqlite_only
def test_concurrent_writers_from_several_processes_lose_nothing(urls, tmp_path):
    database = tmp_path / "writers.db"
    copy_database(sqlite_file(urls), database)
    url = f"sqlite:///{database}"
    context = multiprocessing.get_context("spawn")
    start, errors = context.Barrier(WRITERS), context.Queue()
    writers = [context.Process(target=_writer, args=(url, f"writer{n}", start, errors))
               for n in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=240)
    assert all(p.exitcode == 0 for p in writers)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert not failures
    with sqlite3.connect(database) as conn:
        written = conn.execute("SELECT count(*) FROM club WHERE name LIKE 'writer%'").fetchone()[0]
    assert written == WRITERS * ROWS


# -- backups ---------------------------------------------------------------------

@sqlite_only
def test_a_backup_restores_what_was_changed(urls, tmp_path):
    from app.models import Club

    database = tmp_path / "live.db"
    copy_database(sqlite_file(urls), database)
    url = f"sqlite:///{database}"
    app = make_app((url, url), INSTANCE_DIR=str(tmp_path / "instance"))
    runner = app.test_cli_runner()

    def clubs():
        with app.app_context(), unrestricted(db.session):
            return db.session.scalar(select(func.count()).select_from(Club))

    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [backup] = (tmp_path / "instance" / "backups").glob("libnet-*.db")
    before = clubs()
    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM club")
    assert clubs() == 0
    assert runner.invoke(args=["restore", str(backup)], input="n\n").exit_code != 0  # asks first
    assert clubs() == 0
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert clubs() == before > 0
    assert login(app, "zal.director").get("/clubview/list/").status_code == 200
    (tmp_path / "junk.db").write_text("not a database")
    result = runner.invoke(args=["restore", str(tmp_path / "junk.db"), "--yes"])
    assert result.exit_code != 0 and "not a sound" in result.output and clubs() == before
    named = tmp_path / "named.db"
    assert runner.invoke(args=["backup", str(named)]).exit_code == 0 and named.exists()
    assert runner.invoke(args=["backup", str(named)]).exit_code != 0  # never overwrites


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's procedure")
def test_backup_on_postgresql_points_to_pg_dump(app):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output
