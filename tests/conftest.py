"""Fixtures: one migrated database with the demo network per test run.

SQLite by default; PostgreSQL when TEST_DATABASE_URL names an empty database. There
the schema is migrated as its owner and the service connects as a role that does not
own the tables, as in production, so row-level security applies to every test.
"""
import os
import socket
from email import message_from_bytes, policy
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from config import database_url
from app.extensions import db
from app.tenancy.session import unrestricted

PASSWORD = "Demo-password-2026"
POSTGRES = os.environ.get("TEST_DATABASE_URL") and database_url(os.environ["TEST_DATABASE_URL"])
SERVICE_ROLE = "libnet_test_service"


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


@pytest.fixture(scope="session")
def urls(tmp_path_factory):
    """(owner URL, service URL) of a migrated database holding the demo network."""
    if POSTGRES:
        owner, service = POSTGRES, _as_role(POSTGRES, SERVICE_ROLE)
    else:
        owner = service = f"sqlite:///{tmp_path_factory.mktemp('db') / 'libnet.db'}"
    return build_demo_database(owner, service)


def build_demo_database(owner: str, service: str) -> tuple[str, str]:
    """Migrate as the owner, grant the service role (PostgreSQL), load the demo network."""
    config = {"SQLALCHEMY_DATABASE_URI": owner, "MIGRATION_DATABASE_URL": owner}
    with create_app(config).app_context():
        upgrade()
    if POSTGRES:
        from app.tenancy.service_role import grant_service_role

        grant_service_role(owner, SERVICE_ROLE)
    os.environ["DEMO_PASSWORD"] = PASSWORD
    from app.demo import load

    with create_app({**config, "SQLALCHEMY_DATABASE_URI": service}).app_context():
        with unrestricted(db.session):
            load()
    return owner, service


def record_apis() -> list[str]:
    """The REST resources of every declared record type (app/records)."""
    from app.records import record_types

    return [t.api.resource_name for t in record_types().values() if t.api is not None]


def make_app(urls, **extra):
    owner, service = urls
    return create_app({"SQLALCHEMY_DATABASE_URI": service, "MIGRATION_DATABASE_URL": owner,
                       "TESTING": True, "WTF_CSRF_ENABLED": False, **extra})


@pytest.fixture(scope="session")
def app(urls):
    return make_app(urls)


@pytest.fixture(scope="session")
def owner_engine(urls):
    """The database as its owner sees it, past every tenancy rule: for before/after checks."""
    engine = create_engine(urls[0])
    yield engine
    engine.dispose()


def login(app, username, password=PASSWORD):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302 and "/login" not in response.headers["Location"], \
        f"{username} could not log in"
    return client


@pytest.fixture
def as_user(app):
    return lambda username: login(app, username)


def snapshot(engine) -> dict:
    """Every row of every table, to prove that a refused request changed nothing."""
    with engine.connect() as conn:
        tables = [row[0] for row in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'" if engine.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname='public'"))]
        return {t: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{t}"')).all()))
                for t in tables if t not in ("ab_user",)}


def put_current(client, url, body, **kwargs):
    """A PUT that starts from the record as stored now, as a client that has just read it
    does (a PUT without the version it edits is refused: app/api/base.py)."""
    found = client.get(url.split("?")[0], **kwargs)
    version = found.get_json()["result"]["version"] if found.status_code == 200 else None
    headers = {**kwargs.pop("headers", {}), **({"If-Match": f'"{version}"'} if version else {})}
    return client.put(url, json=body, headers=headers, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What an SMTP server on 127.0.0.1 received: (recipients, letter) in order."""

    def __init__(self):
        self.letters = []

    async def handle_DATA(self, server, session, envelope):
        self.letters.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    """An SMTP server on 127.0.0.1 for the module's tests: (its controller, its Inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="module")
def mailing_app(urls, smtp):
    """The service sending its letters to that server."""
    controller, _ = smtp
    return make_app(urls, MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                    MAIL_DEFAULT_SENDER="methodology@library.example")
