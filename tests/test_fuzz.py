"""The REST API under schemathesis with all its checks: it reads the document each
caller is given and sends what it allows (and, in negative mode, what it does not), as a
district director and as Admin. No answer may be a 5xx, be outside the document (status,
content type, headers, body), accept what the document forbids or refuse what it allows
(tests/schemathesis.toml says which refusals a schema cannot foresee).

It runs the `schemathesis` command itself, as an integrator would, against the service
served on 127.0.0.1 over a database of its own (the fuzzer adds, changes and deletes at
random). The run here is bounded (FUZZ_EXAMPLES per operation and phase, 10 by default,
the same cases every run); `make fuzz` runs a longer one with new cases.
"""
import datetime
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from app.extensions import db

from .conftest import PASSWORD, POSTGRES, SERVICE_ROLE, _as_role, build_demo_database, make_app

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"  # else the same cases every run
USERS = ("zal.director", "admin")  # a district's director, and Admin with every operation
# Admin's changes of accounts run last, on their own: a new password or role for Admin's
# own account ends the token the run signs in with (app/security/sessions.py).
ACCOUNT_CHANGES = ("security_users_update", "security_users_delete")
RUNS = {
    "director": ("zal.director", ()),
    "admin": ("admin", [a for op in ACCOUNT_CHANGES for a in ("--exclude-operation-id", op)]),
    "admin-account-changes": ("admin", [*(a for op in ACCOUNT_CHANGES for a in ("--include-operation-id", op)),
                                        "--phases", "examples,coverage,fuzzing"]),  # no links among them
}


def _on_server(url: str, *statements: str) -> None:
    parts = urlsplit(url)
    server = create_engine(urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    server.dispose()


def _fresh_postgres_database(url: str) -> str:
    """A new, empty database beside the test database, on the same server."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_fuzz"
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The service over a migrated database of its own holding the demo network, served
    on a free port of 127.0.0.1: its base URL."""
    if POSTGRES:
        owner = _fresh_postgres_database(POSTGRES)
        service = _as_role(owner, SERVICE_ROLE)
    else:
        owner = service = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'libnet.db'}"
    # Not TESTING: an unexpected error is answered as in production (a 500), not raised.
    # Tokens that outlast both runs (15 minutes by default).
    app = make_app(build_demo_database(owner, service), TESTING=False,
                   JWT_ACCESS_TOKEN_EXPIRES=datetime.timedelta(hours=2))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request: thousands
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Signed in before any run: a run tries the login with random names, and the
    # address's login limit then holds for everyone (app/security/limits.py).
    client = app.test_client()
    tokens = {name: client.post("/api/v1/security/login", json={
        "username": name, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
        for name in USERS}
    yield f"http://127.0.0.1:{server.server_port}", tokens
    server.shutdown()
    if POSTGRES:  # not left behind on the server, run after run
        with app.app_context():
            db.engine.dispose()
        name = urlsplit(owner).path.lstrip("/")
        _on_server(owner, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("name", RUNS)
def test_schemathesis_with_all_its_checks_finds_nothing(served, name, tmp_path):
    url, tokens = served
    username, selection = RUNS[name]
    token = tokens[username]
    command = [str(SCHEMATHESIS), "--no-color", "--config-file", str(CONFIG), "run",
               f"{url}/api/v1/_openapi", "-H", f"Authorization: Bearer {token}",
               "--checks", "all", "--max-examples", str(EXAMPLES), "--workers", "1",
               "--request-timeout", "30", "--report-dir", str(tmp_path), *selection,
               *([] if RANDOM else ["--seed", "20261125", "--generation-deterministic"])]
    run = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                         env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    if os.environ.get("FUZZ_LOG"):  # the whole report, to read at leisure
        Path(f"{os.environ['FUZZ_LOG']}-{name}.txt").write_text(run.stdout + run.stderr)
    summary = re.findall(r"(\d+) (?:generated|passed|failures?|errors?)", run.stdout)
    print(f"\nschemathesis, {name}: {run.stdout.strip().splitlines()[-1] if run.stdout else ''}")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
    assert summary, run.stdout[-3000:]


# Inputs the fuzzer above does not send: to the screens, and ids past any column.
HUGE = 10**30


@pytest.mark.parametrize("url", [f"/clubview/show/{HUGE}", f"/clubview/edit/{HUGE}",
                                 f"/auditview/show/{HUGE}", f"/accountview/show/{HUGE}",
                                 f"/api/v1/club/{HUGE}",
                                 f"/api/v1/club/?q=(page:{HUGE})", "/api/v1/club/?q=1e%2B5"])
def test_impossible_ids_and_pages_are_not_found_or_bad_requests(as_user, url):
    assert as_user("zal.director").get(url).status_code in (400, 404)


def test_a_nul_character_gets_a_field_error(as_user, owner_engine):
    from .conftest import snapshot
    from .test_records import find_id

    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    before = snapshot(owner_engine)
    response = client.post("/api/v1/club/", json={"name": "Клуб\x00", "library": library,
                                                  "audience": "youth", "members": 1})
    assert response.status_code == 422 and "name" in response.get_json()["errors"]
    response = client.post("/clubview/add?_l_=en", data={"name": "Клуб\x00", "library": library,
                                                         "audience": "youth", "members": "1"})
    assert response.status_code == 200 and "control characters" in response.get_data(as_text=True)
    assert snapshot(owner_engine) == before
