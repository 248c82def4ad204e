"""The REST API under random input: schemathesis reads the API's own OpenAPI document
and sends what it allows (and, in negative mode, what it does not) to the seven record
APIs as a signed-in district director. No answer may be a 5xx, and every answer must
match the document.

The run here is bounded (FUZZ_EXAMPLES cases per operation and mode, 20 by default);
`make fuzz` runs a longer one. The fuzzer adds, changes and deletes at random, so it
works on a database of its own.
"""
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text

from .conftest import PASSWORD, POSTGRES, SERVICE_ROLE, _as_role, build_demo_database, make_app

hypothesis = pytest.importorskip("hypothesis")  # installed with schemathesis
hypothesis.configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "libnet-hypothesis")
schemathesis = pytest.importorskip("schemathesis")  # after that: it reads the directory on import
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
MODES = os.environ.get("FUZZ_MODES", "positive,negative").split(",")
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"  # else the same cases every run
RESOURCES = r"^/api/v1/(tenant|library|staff|club|outreach|contest|contest_entry)/"


def _fresh_postgres_database(url: str) -> str:
    """A new, empty database beside the test database, on the same server."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_fuzz"
    server = create_engine(urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """The service over a migrated database of its own, holding the demo network."""
    if POSTGRES:
        owner = _fresh_postgres_database(POSTGRES)
        service = _as_role(owner, SERVICE_ROLE)
    else:
        owner = service = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'libnet.db'}"
    return make_app(build_demo_database(owner, service))


def test_no_input_gets_a_server_error_or_an_answer_outside_the_document(fuzz_app):
    client = fuzz_app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "zal.director", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", fuzz_app, headers=auth)
    schema = schema.include(path_regex=RESOURCES)
    failures, cases, started = [], 0, time.monotonic()
    for operation in (result.ok() for result in schema.get_all_operations()):
        for mode in MODES:
            @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def fuzz(case):
                nonlocal cases
                cases += 1
                case.call_and_validate(headers=auth, checks=[not_a_server_error,
                                                             response_schema_conformance])

            try:
                fuzz()
            except Exception as failure:  # schemathesis groups what it found
                failures.append(f"{operation.label} ({mode}):\n{failure}")
    seconds = time.monotonic() - started
    print(f"\nfuzz: {cases} cases, {len(MODES)} modes, {EXAMPLES} per operation and mode, "
          f"{seconds:.0f} s")
    assert cases > 0
    assert not failures, "\n\n".join(failures)


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
    assert response.status_code == 422 and "name" in response.get_json()["message"]
    response = client.post("/clubview/add?_l_=en", data={"name": "Клуб\x00", "library": library,
                                                         "audience": "youth", "members": "1"})
    assert response.status_code == 200 and "control characters" in response.get_data(as_text=True)
    assert snapshot(owner_engine) == before
