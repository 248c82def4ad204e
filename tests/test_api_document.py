"""The API's OpenAPI document as an integrator reads it: valid, listing what the caller
may call and nothing else, one Error schema for every refusal, and no answer that
differs from what it says."""
import re

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from .conftest import PASSWORD

ERROR = "#/components/schemas/Error"
MAX_INT = 2**31 - 1
UNTYPED = object()


def token(app, username):
    response = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": PASSWORD, "provider": "db"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


@pytest.fixture(scope="module")
def bearer(app):
    tokens = {}

    def headers(username):
        if username not in tokens:
            tokens[username] = token(app, username)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


@pytest.fixture(scope="module")
def document(app, bearer):
    found = {}

    def of(username):
        if username not in found:
            response = app.test_client().get("/api/v1/_openapi", headers=bearer(username))
            assert response.status_code == 200
            found[username] = response.get_json()
        return found[username]

    return of


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield path, method, operation


def resolve(document, node):
    while "$ref" in node:
        kind, name = node["$ref"].removeprefix("#/components/").split("/")
        node = document["components"][kind][name]
    return node


def find_operation(document, method, url):
    """The documented operation a request is for: a path without parameters first."""
    path = url.split("?")[0]
    for template in sorted(document["paths"], key=lambda t: t.count("{")):
        pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method in document["paths"][template]:
            return template, document["paths"][template][method]
    raise AssertionError(f"{method.upper()} {path} is not in the document")


def check_answer(document, method, url, response):
    """The answer is one the document describes: its status, its headers, its body."""
    template, operation = find_operation(document, method, url)
    status = str(response.status_code)
    where = f"{method.upper()} {url} answered {status} ({response.get_data(as_text=True)[:300]})"
    assert status in operation["responses"], f"{where}; documented: {sorted(operation['responses'])}"
    declared = resolve(document, operation["responses"][status])
    for name, header in declared.get("headers", {}).items():
        header = resolve(document, header)
        value = response.headers.get(name)
        assert value is not None or not header.get("required"), f"{where}: no {name} header"
        if value is not None:
            schema = header["schema"]
            value = int(value) if schema.get("type") == "integer" else value
            OAS30Validator(schema).validate(value)
    content = declared.get("content")
    if content:
        assert response.mimetype in content, f"{where}: {response.mimetype}, documented {list(content)}"
        schema = {"allOf": [content[response.mimetype]["schema"]], "components": document["components"]}
        errors = sorted(OAS30Validator(schema).iter_errors(response.get_json()), key=str)
        assert not errors, f"{where}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


# -- the document ----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["zal.director", "admin"])
def test_the_document_is_valid_openapi(document, username):
    validate(document(username))


def test_not_signed_in_the_document_is_refused_as_it_says(app, document):
    response = app.test_client().get("/api/v1/_openapi")
    assert response.status_code == 401
    check_answer(document("zal.director"), "get", "/api/v1/_openapi", response)


def test_admin_sees_the_accounts_api_and_a_director_does_not(document):
    assert "/api/v1/security/users/" in document("admin")["paths"]
    assert "/api/v1/security/users/" not in document("zal.director")["paths"]
    director = document("zal.director")["paths"]
    assert "delete" not in director["/api/v1/tenant/{pk}"]  # a director edits the district only
    assert {"get", "put", "delete"} <= set(director["/api/v1/club/{pk}"])


def test_sign_in_is_in_every_document(document):
    for username in ("zal.director", "admin", "zal.branch"):
        paths = document(username)["paths"]
        assert "post" in paths["/api/v1/security/login"] and "post" in paths["/api/v1/security/refresh"]


def _call(app, headers, path, method):
    """A request to an operation that changes nothing whoever makes it: a record that
    does not exist, a body with a field no record has."""
    url = re.sub(r"\{\w+\}", str(MAX_INT), path)
    body = {"no_such_field": 1} if method in ("post", "put") else None
    return getattr(app.test_client(), method)(url, headers=headers, json=body)


def test_a_director_is_refused_nothing_the_document_lists(app, bearer, document):
    refused = [f"{method.upper()} {path}"
               for path, method, operation in operations(document("zal.director"))
               if "security" in operation and _call(app, bearer("zal.director"), path, method).status_code == 403]
    assert not refused


def test_a_director_is_refused_what_only_admin_sees(app, bearer, document):
    director = document("zal.director")["paths"]
    hidden = [(path, method) for path, method, _ in operations(document("admin"))
              if method not in director.get(path, {})]
    assert ("/api/v1/security/users/", "get") in hidden
    assert {_call(app, bearer("zal.director"), path, method).status_code for path, method in hidden} == {403}


def test_allow_lists_the_methods_the_callers_document_lists(app, bearer, document):
    client = app.test_client()

    def allowed(username, url):
        answer = client.options(url, headers=bearer(username))
        assert answer.status_code == 200
        return {m.strip().lower() for m in answer.headers["Allow"].split(",")} - {"head", "options"}

    for username in ("zal.director", "admin"):
        paths = document(username)["paths"]
        for url, path in [("/api/v1/tenant/1", "/api/v1/tenant/{pk}"), ("/api/v1/club/1", "/api/v1/club/{pk}"),
                          ("/api/v1/tenant/", "/api/v1/tenant/")]:
            assert allowed(username, url) == set(paths[path]), f"{username} {url}"
    assert "delete" not in allowed("zal.director", "/api/v1/tenant/1")
    anonymous = client.options("/api/v1/club/1").headers["Allow"]  # every method answers 401 alike
    assert {"GET", "PUT", "DELETE"} <= {m.strip() for m in anonymous.split(",")}
    assert allowed("zal.director", "/api/v1/security/users/1") == set()
    refused = client.put("/api/v1/club/_info", headers=bearer("zal.director"), json={})
    assert refused.status_code == 405 and refused.headers["Allow"]


# -- refusals, parameters, types -------------------------------------------------------


@pytest.mark.parametrize("username", ["zal.director", "admin"])
def test_every_refusal_is_the_one_error_schema(document, username):
    spec = document(username)
    assert spec["components"]["schemas"]["Error"]["required"] == ["message"]
    # problems: a statistical report's step that its figures stop (app/api/stat_reports.py)
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {"message", "errors", "result", "problems"}
    for path, method, operation in operations(spec):
        label = f"{method.upper()} {path}"
        codes = set(operation["responses"])
        assert not {c for c in codes if c.startswith("5")}, label
        for code in codes - {"200", "201"}:
            response = operation["responses"][code]
            assert set(response) == {"$ref"}, f"{label} {code} is not a shared response"
            assert resolve(spec, response)["content"]["application/json"]["schema"] == {"$ref": ERROR}
        if "security" in operation and path != "/api/v1/security/refresh":
            assert {"401", "403"} <= codes, label
        if "{" in path:
            assert "404" in codes, label
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in codes, label
    login = spec["paths"]["/api/v1/security/login"]["post"]["responses"]
    assert {"400", "401", "429"} <= set(login)
    unauthorized = spec["components"]["responses"]["Unauthorized"]
    assert unauthorized["headers"]["WWW-Authenticate"]


@pytest.mark.parametrize("username", ["zal.director", "admin"])
def test_ids_are_integers_and_no_schema_is_left_untyped(document, username):
    spec = document(username)
    for path, method, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["type"] == "integer", f"{method} {path} {parameter['name']}"
        assert not re.search(r"\{(?!pk\}|\w+_id\})", path), path  # only ids in paths
    untyped = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("schema", "items", "additionalProperties") and value == {} or \
                        key == "properties" and any(v == {} for v in value.values()):
                    untyped.append(f"{where}/{key}")
                if key == "properties":
                    for name in ("id", "count"):
                        if name in value and "type" in value[name]:
                            assert value[name]["type"] == "integer", f"{where}/{name}"
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(spec, "")
    assert not untyped
    info = spec["paths"]["/api/v1/club/_info"]["get"]["responses"]["200"]
    assert info["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Info"}


def test_a_record_answer_documents_its_etag(document):
    paths = document("zal.director")["paths"]
    for path, method, code in [("/api/v1/club/{pk}", "get", "200"), ("/api/v1/club/", "post", "201"),
                               ("/api/v1/club/{pk}", "put", "200")]:
        headers = paths[path][method]["responses"][code]["headers"]
        assert headers["ETag"] == {"$ref": "#/components/headers/ETag"}, f"{method} {path}"
    assert "428" in paths["/api/v1/club/{pk}"]["put"]["responses"]


def test_a_bulgarian_directors_document_speaks_bulgarian(app, document):
    from flask_babel import force_locale, gettext

    spec = document("maglizh.director")
    with app.test_request_context(), force_locale("bg"):
        expected = {key: gettext(text) for key, text in [
            ("not found", "No such record, or not one the caller may see: the answer is the same."),
            ("error", "Every refusal. `message` says what went wrong, in one sentence in the language "
                      "of the answer. `errors` is there only when fields are at fault: each field (a "
                      "nested one as a dotted path, such as `nominations.0`) with what is wrong with it. "
                      "`result` is there only on a 409 for an edit that started from an older version: "
                      "the record as it is stored now."),
            ("etag", "The record's version, as an entity tag: send it back in `If-Match`.")]}
    assert expected["not found"].startswith("Такъв запис няма")
    assert spec["components"]["responses"]["NotFound"]["description"] == expected["not found"]
    assert spec["components"]["schemas"]["Error"]["description"] == expected["error"]
    assert spec["components"]["headers"]["ETag"]["description"] == expected["etag"]
    assert "достъпни за потребителя" in spec["info"]["description"]


@pytest.mark.parametrize("username", ["maglizh.director", "admin"])
def test_no_summary_or_description_is_left_in_english(document, username):
    """FAB's docstrings, and ours, are written in English: the document says them in the
    caller's language (Bulgarian for a Мъглиж director, Russian for Admin)."""
    spec, english = document(username), set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("summary", "description") and isinstance(value, str) \
                        and re.search(r"[A-Za-z]{4,}", value) and not re.search(r"[А-Яа-я]", value):
                    english.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec["paths"])
    walk(spec["components"])
    assert not english, sorted(english)


# -- what is answered is what is documented --------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/club/abc", "/api/v1/club/-1", "/api/v1/club/1.5",
                                 f"/api/v1/club/{MAX_INT}"])
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_an_id_that_names_no_record_is_not_found(app, bearer, document, method, url):
    response = getattr(app.test_client(), method)(url, headers=bearer("zal.director"),
                                                   json={"members": 1} if method == "put" else None)
    assert response.status_code == 404
    if url.endswith(str(MAX_INT)):
        check_answer(document("zal.director"), method, url, response)
    else:  # not a path the document allows: the answer still is the one error shape
        assert set(response.get_json()) == {"message"} and response.get_json()["message"]


def test_typical_answers_are_as_documented(app, bearer, document):
    spec, headers = document("zal.director"), bearer("zal.director")
    client = app.test_client()

    def call(method, url, **kwargs):
        response = getattr(client, method)(url, **{"headers": headers, **kwargs})
        check_answer(spec, method, url, response)
        return response

    libraries = call("get", "/api/v1/library/?q=(page_size:100)").get_json()["result"]
    library = next(row["id"] for row in libraries if row["name"] == "Центральная детская библиотека")
    call("get", "/api/v1/club/")
    call("get", "/api/v1/club/_info")
    call("get", "/api/v1/contest_entry/_info")
    call("get", "/api/v1/club/?q=(page:-1)")  # 400
    call("get", "/api/v1/_openapi")
    created = call("post", "/api/v1/club/", json={
        "name": "Клуб для проверки документа", "library": library, "audience": "youth", "members": 2})
    assert created.status_code == 201
    club = created.get_json()["id"]
    shown = call("get", f"/api/v1/club/{club}")
    version = shown.get_json()["result"]["version"]
    call("post", "/api/v1/club/", json={"name": "x", "library": library, "audience": "nobody"})  # 422
    assert call("put", f"/api/v1/club/{club}", json={"members": 3}).status_code == 428
    assert call("put", f"/api/v1/club/{club}", json={"members": 3, "version": version}).status_code == 200
    stale = call("put", f"/api/v1/club/{club}", json={"members": 4, "version": version})
    assert stale.status_code == 409 and stale.get_json()["result"]["members"] == 3
    call("put", f"/api/v1/club/{club}", json={"members": "many", "version": version + 1})  # 400 or 422
    call("get", "/api/v1/club/1", headers={})  # 401: no token
    call("get", "/api/v1/club/1", headers={"Authorization": "Bearer not-a-token"})  # 401
    assert call("delete", f"/api/v1/club/{club}").status_code == 200
    assert call("get", f"/api/v1/club/{club}").status_code == 404


def test_refusals_and_sign_in_are_as_documented(app, bearer, document):
    client = app.test_client()
    admin = document("admin")
    # Refused to a director: checked against the document of someone who may see the operation.
    check_answer(admin, "delete", "/api/v1/tenant/1",
                 client.delete("/api/v1/tenant/1", headers=bearer("zal.director")))
    check_answer(admin, "get", "/api/v1/security/users/",
                 client.get("/api/v1/security/users/", headers=bearer("zal.director")))
    spec = document("zal.director")
    for body in ({"username": "zal.director", "password": PASSWORD, "provider": "db"},
                 {"username": "zal.director", "password": "wrong password", "provider": "db"},
                 {"username": 5}):
        check_answer(spec, "post", "/api/v1/security/login",
                     client.post("/api/v1/security/login", json=body))
