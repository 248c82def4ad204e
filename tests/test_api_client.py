"""An integrator's generated client: openapi-python-client turns the document a district
director reads into a Python package, with no warning, and that package pages, filters,
sorts, creates, reads, updates and deletes clubs through the real service.

The generator reads the document from a file (no network). Its formatting hooks are
left out: they change how the code looks, not what it does.
"""
import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import time
import typing
from collections import Counter
from pathlib import Path

import httpx
import pytest

from .conftest import PASSWORD

PACKAGE = "libnet_client"


def generator() -> str:
    found = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) \
        or shutil.which("openapi-python-client")
    if found is None:
        message = "openapi-python-client is not installed (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory):
    """The client package generated from zal.director's document, imported; and what the
    generator printed."""
    command = generator()
    client = app.test_client()
    login = client.post("/api/v1/security/login", json={
        "username": "zal.director", "password": PASSWORD, "provider": "db"})
    response = client.get("/api/v1/_openapi",
                          headers={"Authorization": f"Bearer {login.get_json()['access_token']}"})
    assert response.status_code == 200
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_bytes(response.get_data())
    # A spreadsheet is a file to the generator, as its documentation advises for such types.
    (folder / "config.yaml").write_text(
        "post_hooks: []\ncontent_type_overrides:\n"
        "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream\n")
    started = time.monotonic()
    run = subprocess.run([command, "generate", "--path", "openapi.json", "--meta", "none",
                          "--output-path", PACKAGE, "--config", "config.yaml"],
                         cwd=folder, capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - started
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module(PACKAGE) if run.returncode == 0 else None
        yield package, run.stdout + run.stderr, run.returncode, seconds
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def operation(package, operation_id):
    """The generated module of an operation, whatever tag it was filed under."""
    api = importlib.import_module(f"{PACKAGE}.api")
    for tag in pkgutil.iter_modules(api.__path__):
        try:
            return importlib.import_module(f"{PACKAGE}.api.{tag.name}.{operation_id}")
        except ModuleNotFoundError:
            continue
    raise AssertionError(f"the client has no {operation_id}")


def hinted(obj, name):
    """The class a generated function's argument or model's field is typed with (X in
    `X | Unset`)."""
    hint = typing.get_type_hints(obj)[name]
    return next(t for t in (typing.get_args(hint) or (hint,))
                if t is not type(None) and t.__name__ != "Unset")


def test_the_generator_warns_of_nothing(generated):
    package, output, returncode, seconds = generated
    print(f"\nopenapi-python-client generated the client in {seconds:.1f} s")
    assert returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output
    assert package is not None


def test_a_director_keeps_clubs_with_the_generated_client(app, generated):
    package, output, returncode, _seconds = generated
    assert returncode == 0, output
    started = time.monotonic()
    wsgi = {"transport": httpx.WSGITransport(app=app)}
    client_module = importlib.import_module(f"{PACKAGE}.client")
    login = operation(package, "security_login")
    anonymous = client_module.Client(base_url="http://localhost", httpx_args=wsgi,
                                     raise_on_unexpected_status=True)
    signed_in = login.sync(client=anonymous, body=hinted(login.sync, "body")(
        username="zal.director", password=PASSWORD))
    client = client_module.AuthenticatedClient(base_url="http://localhost", token=signed_in.access_token,
                                               httpx_args=wsgi, raise_on_unexpected_status=True)

    # Page 2 of a library's clubs, sorted by name: the same as that slice of the whole list.
    listing = operation(package, "club_list")
    by_name = hinted(listing.sync, "order_by")("name")
    everything = listing.sync(client=client, page=1, page_size=100)
    library = Counter(row.library.id for row in everything.result).most_common(1)[0][0]
    whole = listing.sync(client=client, library=library, order_by=by_name, page=1, page_size=100)
    assert whole.count >= 3 and all(row.library.id == library for row in whole.result)
    page = listing.sync(client=client, library=library, order_by=by_name, page=2, page_size=2)
    assert [row.name for row in page.result] == [row.name for row in whole.result][2:4]
    assert page.count == whole.count

    # Create, read, update with the version, refuse an update without one, delete.
    create = operation(package, "club_create")
    body = hinted(create.sync, "body")
    created = create.sync_detailed(client=client, body=body(
        name="Клуб из сгенерированного клиента", library=library,
        audience=hinted(body, "audience")("youth"), members=3))
    assert created.status_code == 201 and created.headers["ETag"]
    club = created.parsed.id
    read = operation(package, "club_get").sync_detailed(pk=club, client=client)
    assert read.status_code == 200 and read.parsed.result.name == "Клуб из сгенерированного клиента"
    version = read.parsed.result.version
    assert read.headers["ETag"] == f'"{version}"'

    update = operation(package, "club_update")
    changes = hinted(update.sync, "body")
    updated = update.sync_detailed(pk=club, client=client, body=changes(members=5, version=version))
    assert updated.status_code == 200
    assert updated.parsed.result.members == 5 and updated.parsed.result.version == version + 1
    unversioned = update.sync_detailed(pk=club, client=client, body=changes(members=6))
    assert unversioned.status_code == 428 and unversioned.parsed.message

    delete = operation(package, "club_delete")
    assert delete.sync_detailed(pk=club, client=client).status_code == 200
    gone = operation(package, "club_get").sync_detailed(pk=club, client=client)
    assert gone.status_code == 404 and gone.parsed.message
    print(f"\nthe generated client's round: {time.monotonic() - started:.1f} s")
