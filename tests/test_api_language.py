"""The API as an integrator's client sees it: every answer in one language, every refusal
in one shape.

The client signs in through /api/v1/security/login and sends the bearer token, and no
Accept-Language: the answers speak its account's language (the Bulgarian director's
tenant speaks Bulgarian, the Russian director's Russian). A client that names one of our
languages in Accept-Language gets that one. A refusal is {"message": text} with
"errors": {field: [texts]} when fields are at fault, "result" only on a 409; never "msg".
Texts are compared with the catalogs, not merely checked for Cyrillic letters.
"""
import re
import time
from dataclasses import dataclass, field

import jwt
import pytest
from flask_babel import force_locale, get_translations, gettext

from tests.conftest import PASSWORD

BULGARIAN, RUSSIAN = "maglizh.director", "zal.director"
CATALOG = object()  # any text of the catalog in the answer's language (the refusal is another's)

NOT_FOUND = "Not found: the page or record does not exist, or it is not yours to see."
AT_FAULT = "Some fields are not filled in correctly."


# -- the client ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def tokens(app):
    """Each director's access token, and tokens it did not get that way: expired, forged."""
    found = {}
    for username in (BULGARIAN, RUSSIAN):
        answer = app.test_client().post("/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"})
        assert answer.status_code == 200, answer.get_json()
        token = answer.get_json()["access_token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        key = app.config.get("JWT_SECRET_KEY") or app.config["SECRET_KEY"]
        algorithm = app.config.get("JWT_ALGORITHM", "HS256")
        found[username] = {
            "own": token,
            "expired": jwt.encode({**claims, "exp": int(time.time()) - 60}, key, algorithm=algorithm),
            "forged": jwt.encode(claims, "not the service's key at all, long enough", algorithm=algorithm),
            "malformed": "not-a-token",
            None: None,
        }
    return found


@pytest.fixture(scope="module")
def ids(app, tokens):
    """A library of the Bulgarian director's, a club of its own, a club of another country's district."""
    def first(username, path):
        answer = app.test_client().get(f"/api/v1/{path}/?q=(page_size:1)",
                                       headers=bearer(tokens[username]["own"]))
        return answer.get_json()["result"][0]

    club = first(BULGARIAN, "club")
    return {"library": first(BULGARIAN, "library")["id"], "club": club["id"],
            "club_version": club.get("version"), "foreign_club": first(RUSSIAN, "club")["id"]}


def bearer(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


def said(app, language: str, msgid: str, **values) -> str:
    """A text as the catalog says it in `language`."""
    with app.test_request_context(), force_locale(language):
        return gettext(msgid, **values)


def catalog_patterns(app, language: str) -> list:
    """Every text of the catalogs in `language`, its placeholders matching anything."""
    with app.test_request_context(), force_locale("ru" if language == "en" else language):
        entries = get_translations()._catalog
    texts = [key if language == "en" else value for key, value in entries.items()
             if isinstance(key, str) and key and isinstance(value, str) and value]
    return [re.compile(".+".join(map(re.escape, re.split(r"%\(\w+\)[sdif]", text))), re.S)
            for text in texts]


def in_catalog(patterns, text) -> bool:
    return isinstance(text, str) and any(p.fullmatch(text) for p in patterns)


# -- what the client asks, and how it is refused -----------------------------------

@dataclass
class Refusal:
    name: str
    method: str
    path: str
    status: tuple
    message: object  # a msgid, or CATALOG
    token: str | None = "own"  # which of the user's tokens it sends
    body: object = None
    errors: dict = field(default_factory=dict)  # field -> msgid or CATALOG
    raw: str | None = None  # a body that is not JSON


def club(ids, **values):
    return {"name": "Клуб за проба на езика", "library": ids["library"], "audience": "children", **values}


REFUSALS = [
    Refusal("no token", "GET", "/api/v1/club/", (401,), "Sign in first: the request carries no access token.",
            token=None),
    Refusal("malformed token", "GET", "/api/v1/club/", (401,), "The access token is not valid: sign in again.",
            token="malformed"),
    Refusal("forged token", "GET", "/api/v1/club/", (401,), "The access token is not valid: sign in again.",
            token="forged"),
    Refusal("expired token", "GET", "/api/v1/club/", (401,),
            "The access token has expired: sign in again or refresh it.", token="expired"),
    Refusal("missing record", "GET", "/api/v1/club/2147480000", (404,), NOT_FOUND),
    Refusal("another district's record", "GET", "/api/v1/club/{foreign_club}", (404,), NOT_FOUND),
    Refusal("a director adds a district", "POST", "/api/v1/tenant/", (403,),
            "Your role does not allow this action.", body={"name": "Нова община", "kind": "district"}),
    Refusal("members are not a number", "POST", "/api/v1/club/", (400, 422), AT_FAULT,
            body=lambda ids: club(ids, members="x"), errors={"members": CATALOG}),
    Refusal("a required field is missing", "POST", "/api/v1/club/", (400, 422), AT_FAULT,
            body=lambda ids: {"library": ids["library"], "audience": "children"},
            errors={"name": "This field is required."}),
    Refusal("an unknown field", "POST", "/api/v1/club/", (400, 422), AT_FAULT,
            body=lambda ids: club(ids, colour="red"), errors={"colour": CATALOG}),
    Refusal("a number for a text", "POST", "/api/v1/club/", (400, 422), AT_FAULT,
            body=lambda ids: club(ids, name=5), errors={"name": "Enter a text."}),
    Refusal("not one of the choices", "POST", "/api/v1/club/", (400, 422), AT_FAULT,
            body=lambda ids: club(ids, audience="aliens"), errors={"audience": CATALOG}),
    Refusal("a body that is not JSON", "POST", "/api/v1/club/", (400, 415), CATALOG, raw="name=x"),
    Refusal("a q that is neither Rison nor JSON", "GET", "/api/v1/club/?q=((", (400,),
            "The query (q) is neither Rison nor JSON."),
    Refusal("a sort by a column the list has not", "GET", "/api/v1/club/?q=(order_column:colour)", (400,),
            "This list cannot be sorted by that column."),
    Refusal("an edit of an older version", "PUT", "/api/v1/club/{club}", (409,), CATALOG,
            body=lambda ids: {"version": ids["club_version"] + 1000}),  # not the stored one
]


def ask(app, tokens, ids, username, refusal, headers=None):
    tokens = tokens[username]
    path = refusal.path.format(**ids)
    body = refusal.body(ids) if callable(refusal.body) else refusal.body
    sent = {**bearer(tokens[refusal.token]), **(headers or {})}
    client = app.test_client()
    if refusal.raw is not None:
        return client.open(path, method=refusal.method, data=refusal.raw, headers=sent,
                           content_type="text/plain")
    return client.open(path, method=refusal.method, json=body, headers=sent)


def no_one_named(refusal) -> bool:
    """A request whose token names nobody: only the client can say which language."""
    return refusal.token in (None, "malformed", "forged")


def assert_said_in(app, language, patterns, refusal, answer):
    body = answer.get_json()
    assert answer.status_code in refusal.status, (refusal.name, answer.status_code, body)
    assert answer.headers["Content-Language"] == language, refusal.name
    if refusal.message is CATALOG:
        assert in_catalog(patterns, body["message"]), (refusal.name, body)
    else:
        assert body["message"] == said(app, language, refusal.message), (refusal.name, body)
    for name, msgid in refusal.errors.items():
        texts = body.get("errors", {}).get(name)
        assert texts, (refusal.name, body)
        if msgid is CATALOG:
            assert all(in_catalog(patterns, t) for t in texts), (refusal.name, body)
        else:
            assert texts == [said(app, language, msgid)], (refusal.name, body)
    if answer.status_code == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer"), refusal.name


# -- errors -------------------------------------------------------------------------

@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_a_bulgarian_directors_client_is_refused_in_bulgarian(app, tokens, ids, refusal):
    # No Accept-Language: the account's tenant speaks Bulgarian. A token that names nobody
    # cannot say so: there the client in Bulgaria names its language.
    headers = {"Accept-Language": "bg"} if no_one_named(refusal) else {}
    answer = ask(app, tokens, ids, BULGARIAN, refusal, headers)
    assert_said_in(app, "bg", catalog_patterns(app, "bg"), refusal, answer)


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_the_same_client_asking_for_english_is_refused_in_english(app, tokens, ids, refusal):
    answer = ask(app, tokens, ids, BULGARIAN, refusal, {"Accept-Language": "en"})
    assert_said_in(app, "en", catalog_patterns(app, "en"), refusal, answer)


@pytest.mark.parametrize("refusal", [r for r in REFUSALS if "{" not in r.path],  # ids of the other's
                         ids=lambda r: r.name)
def test_a_russian_directors_client_is_refused_in_russian(app, tokens, ids, refusal):
    headers = {"Accept-Language": "ru"} if no_one_named(refusal) else {}
    answer = ask(app, tokens, ids, RUSSIAN, refusal, headers)
    assert_said_in(app, "ru", catalog_patterns(app, "ru"), refusal, answer)


def test_a_token_that_names_nobody_is_refused_in_russian_when_the_client_names_no_language(app, tokens, ids):
    for refusal in (r for r in REFUSALS if no_one_named(r)):
        answer = ask(app, tokens, ids, BULGARIAN, refusal)
        assert answer.status_code == 401
        assert answer.get_json()["message"] == said(app, "ru", refusal.message)


def test_a_failed_sign_in_is_said_in_the_language_the_client_names(app):
    client = app.test_client()
    for language in ("bg", "ru", "en"):
        answer = client.post("/api/v1/security/login", environ_base={"REMOTE_ADDR": "10.77.0.1"},
                             json={"username": "nobody.of.the.api", "password": "wrong-password-1",
                                   "provider": "db"},
                             headers={"Accept-Language": language})
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert in_catalog(catalog_patterns(app, language), answer.get_json()["message"])
        assert answer.headers["Content-Language"] == language


def test_every_refusal_has_the_one_shape(app, tokens, ids):
    """Every answer above, for each director and language: a message that is one text,
    field errors as lists of texts, the stored record only with a 409, no msg."""
    seen = set()
    for username, headers in ((BULGARIAN, {}), (BULGARIAN, {"Accept-Language": "en"}), (RUSSIAN, {})):
        for refusal in REFUSALS:
            if username == RUSSIAN and "{" in refusal.path:
                continue  # the ids are the Bulgarian director's
            answer = ask(app, tokens, ids, username, refusal, headers)
            body = answer.get_json()
            seen.add(answer.status_code)
            assert 400 <= answer.status_code < 500 and answer.is_json, (refusal.name, answer.status_code)
            assert set(body) <= {"message", "errors", "result"}, (refusal.name, body)
            assert isinstance(body["message"], str) and body["message"].strip(), (refusal.name, body)
            if "errors" in body:
                assert body["errors"] and all(
                    isinstance(name, str) and isinstance(texts, list) and texts
                    and all(isinstance(t, str) and t.strip() for t in texts)
                    for name, texts in body["errors"].items()), (refusal.name, body)
            assert ("result" in body) == (answer.status_code == 409), (refusal.name, body)
            assert "Accept-Language" in answer.headers.get("Vary", ""), refusal.name
    assert {400, 401, 403, 404, 409} <= seen


def test_an_edit_of_an_older_version_carries_the_record_as_stored(app, tokens, ids):
    refusal = next(r for r in REFUSALS if r.status == (409,))
    body = ask(app, tokens, ids, BULGARIAN, refusal).get_json()
    assert body["result"]["id"] == ids["club"] and body["result"]["version"] < ids["club_version"] + 1000


def test_a_delete_is_confirmed_in_the_accounts_language(app, tokens, ids):
    client, sent = app.test_client(), bearer(tokens[BULGARIAN]["own"])
    added = client.post("/api/v1/club/", json=club(ids, name="Клуб за изтриване след проба"), headers=sent)
    assert added.status_code == 201, added.get_json()
    gone = client.delete(f"/api/v1/club/{added.get_json()['id']}", headers=sent)
    assert gone.status_code == 200 and gone.headers["Content-Language"] == "bg"
    assert gone.get_json()["message"] == said(app, "bg", "Done.")


# -- labels and titles ---------------------------------------------------------------

def screens():
    from app.views.club import ClubView
    from app.views.contest import ContestEntryView, ContestView
    from app.views.library import LibraryView
    from app.views.outreach import OutreachView
    from app.views.staff import StaffView
    from app.views.tenant import TenantView

    return {"tenant": TenantView, "library": LibraryView, "staff": StaffView, "club": ClubView,
            "outreach": OutreachView, "contest": ContestView, "contest_entry": ContestEntryView}


def in_language(app, language, text) -> str:
    with app.test_request_context(), force_locale(language):
        return str(text)


@pytest.mark.parametrize("resource", list(screens()))
@pytest.mark.parametrize("username,language,headers", [
    (BULGARIAN, "bg", {}), (RUSSIAN, "ru", {}), (BULGARIAN, "en", {"Accept-Language": "en"})])
def test_an_apis_labels_and_titles_read_like_its_screen(app, tokens, resource, username, language, headers):
    from app.views.base import LABELS

    screen = screens()[resource]
    client, sent = app.test_client(), {**bearer(tokens[username]["own"]), **headers}
    patterns = catalog_patterns(app, language)

    info = client.get(f"/api/v1/{resource}/_info", headers=sent)
    listed = client.get(f"/api/v1/{resource}/?q=(page_size:1)", headers=sent)
    assert info.status_code == listed.status_code == 200
    info, listed = info.get_json(), listed.get_json()
    one = client.get(f"/api/v1/{resource}/{listed['ids'][0]}", headers=sent)
    assert one.headers["Content-Language"] == language
    one = one.get_json()

    assert info["add_title"] == in_language(app, language, screen.add_title)
    assert info["edit_title"] == in_language(app, language, screen.edit_title)
    assert listed["list_title"] == in_language(app, language, screen.list_title)
    assert one["show_title"] == in_language(app, language, screen.show_title)
    for column in info["add_columns"] + info["edit_columns"]:
        if column["name"] in LABELS:
            assert column["label"] == in_language(app, language, LABELS[column["name"]]), column
        assert in_catalog(patterns, column["label"]), column
        assert column["description"] == "" or in_catalog(patterns, column["description"]), column
    for name, operations in info["filters"].items():
        assert all(in_catalog(patterns, o["name"]) for o in operations), (name, operations)
    for answer in (listed, one):
        for name, label in answer["label_columns"].items():
            assert in_catalog(patterns, label), (name, label)
            relation = name.partition(".")[0]
            if name in LABELS or name.endswith((".name", ".title")):
                assert label == in_language(app, language, LABELS[relation]), (name, label)
        assert isinstance(answer["description_columns"], dict)
        assert all(in_catalog(patterns, d) for d in answer["description_columns"].values())


def test_a_bulgarian_directors_club_list_reads_bulgarian(app, tokens):
    """What the issue saw in English: "Founded Year", "List Club", "Show Club"."""
    client, sent = app.test_client(), bearer(tokens[BULGARIAN]["own"])
    listed = client.get("/api/v1/club/?q=(page_size:1)", headers=sent).get_json()
    one = client.get(f"/api/v1/club/{listed['ids'][0]}", headers=sent).get_json()
    assert listed["list_title"] == "Клубове по интереси"
    assert listed["label_columns"]["founded_year"] == said(app, "bg", "Founded (year)")
    assert listed["label_columns"]["library.name"] == said(app, "bg", "Library")
    assert listed["label_columns"]["library.id"] == said(app, "bg", "%(label)s (id)",
                                                         label=said(app, "bg", "Library"))
    assert one["show_title"] == said(app, "bg", "Club")
    assert "Founded Year" not in str(listed) + str(one)


# -- which language ------------------------------------------------------------------

@pytest.mark.parametrize("accept,language", [
    (None, "bg"),              # the account's tenant's
    ("en", "en"),              # an integrator's explicit wish
    ("en-US,en;q=0.9", "en"),
    ("ru;q=0.5, bg", "bg"),
    ("fr", "bg"),              # not one of ours: the account's
    ("*", "bg"),               # names none
])
def test_an_api_answer_speaks_what_the_client_asks_else_the_accounts_language(app, tokens, accept, language):
    headers = {**bearer(tokens[BULGARIAN]["own"]), **({"Accept-Language": accept} if accept else {})}
    answer = app.test_client().get("/api/v1/club/?q=(page_size:1)", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["Content-Language"] == language
    assert "Accept-Language" in answer.headers["Vary"]
    assert answer.get_json()["list_title"] == said(app, language, "Clubs")


def test_one_requests_language_comes_before_the_clients(app, tokens):
    headers = {**bearer(tokens[BULGARIAN]["own"]), "Accept-Language": "en"}
    answer = app.test_client().get("/api/v1/club/?q=(page_size:1)&_l_=ru", headers=headers)
    assert answer.headers["Content-Language"] == "ru"
    assert answer.get_json()["list_title"] == said(app, "ru", "Clubs")


def test_a_body_refused_before_the_token_is_read_is_said_in_the_accounts_language(app, tokens):
    answer = app.test_client().post("/api/v1/club/", data="{not json",
                                    headers={**bearer(tokens[BULGARIAN]["own"]),
                                             "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.headers["Content-Language"] == "bg"
    assert in_catalog(catalog_patterns(app, "bg"), answer.get_json()["message"])


def test_the_screens_keep_the_accounts_language_whatever_the_browser_says(as_user):
    page = as_user(BULGARIAN).get("/clubview/list/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Клубове по интереси" in page.get_data(as_text=True)
