"""User names and e-mail addresses are unique whatever their case, on every path that
creates or renames an account; sign-in finds an account whatever the case typed; and
no database text reaches a user when the database refuses a write."""
import re

import pytest
from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import text

from app.extensions import db
from app.tenancy.session import unrestricted

from .conftest import PASSWORD, login, snapshot

NEW_PASSWORD = "Fresh-account-pass-1"
OWNER_PASSWORD = "Owner-of-the-name-1"
# What the database's errors say: none of it may reach a page or an answer.
DATABASE_WORDS = re.compile(r"IntegrityError|UNIQUE|constraint|INSERT INTO|UPDATE ab_|"
                            r"DELETE FROM|username_key|\[SQL|sqlite3|psycopg|duplicate key", re.I)
TAKEN = {"en": "This user name is taken.", "ru": "Это имя пользователя уже занято."}
EMAIL_TAKEN = "This e-mail address is taken by another account."
REFUSED = {"en": "The database refused the change.", "ru": "База данных отклонила изменение."}
# Names that differ from an existing account's only in case (and spaces), Latin and Cyrillic.
CLASHES = [("ZAL.DIRECTOR", "zal.director"), ("Admin", "admin"), ("иванова", "Иванова"),
           (" ИВАНОВА ", "Иванова")]


def count(owner_engine, sql, **params):
    with owner_engine.connect() as conn:
        return conn.scalar(text(sql), params)


def accounts(owner_engine) -> int:
    return count(owner_engine, "SELECT count(*) FROM ab_user")


@pytest.fixture(scope="module")
def ivanova(app):
    """The owner of every spelling of "иванова" (and of Ivanova@Example.org)."""
    from app.cli import create_user

    with app.app_context(), unrestricted(db.session):
        if app.appbuilder.sm.find_user(username="Иванова") is None:
            create_user("Иванова", "Viewer", tenant="Залегощенский район", password=OWNER_PASSWORD,
                        email="Ivanova@Example.org")
    return {"Иванова": OWNER_PASSWORD}


def password_of(owner: str, ivanova) -> str:
    return ivanova.get(owner, PASSWORD)


@pytest.fixture(scope="module")
def ids(owner_engine):
    return {"district": count(owner_engine, "SELECT id FROM tenant WHERE name = 'Залегощенский район'"),
            "viewer": count(owner_engine, "SELECT id FROM ab_role WHERE name = 'Viewer'")}


# -- every screen and API that creates an account, found in the app -------------

def _adds_accounts(view) -> bool:
    model = getattr(getattr(view, "datamodel", None), "obj", None)
    return isinstance(model, type) and issubclass(model, FabUser)


def account_screens(app) -> list[str]:
    """The add URL of every screen whose form adds an account."""
    return [f"{view.route_base}/add" for view in app.appbuilder.baseviews
            if _adds_accounts(view) and hasattr(view, "add_form") and view.add_columns]


def account_apis(app) -> list[str]:
    """The POST URL of every REST API that adds an account."""
    return [f"{view.route_base}/" for view in app.appbuilder.baseviews
            if _adds_accounts(view) and hasattr(view, "post") and not hasattr(view, "add_form")]


def test_the_paths_that_add_accounts_are_found(app):
    # The generic tests below cover these; each known one must be among them.
    assert {"/accountview/add", "/users/add"} <= set(account_screens(app))
    assert account_apis(app) == ["/api/v1/security/users/"]


def form(username, ids, email=None):
    return {"username": username, "first_name": "Анна", "last_name": "Проверкина",
            "email": email or f"{abs(hash(username))}@example.org", "tenant": ids["district"],
            "roles": ids["viewer"], "active": "y", "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD}


def body(username, ids, email=None):
    return {"username": username, "first_name": "Анна", "last_name": "Проверкина",
            "email": email or f"{abs(hash(username))}@example.org", "roles": [ids["viewer"]],
            "tenant": ids["district"], "active": True, "password": NEW_PASSWORD}


def screen_users(url):
    """Who may add accounts on this screen: Admin everywhere, a Director on the account screen."""
    return ["admin", "zal.director"] if url.startswith("/accountview/") else ["admin"]


# -- sign-in --------------------------------------------------------------------

@pytest.mark.parametrize("typed, owner", [
    ("ZAL.DIRECTOR", "zal.director"), ("  Zal.Director ", "zal.director"), ("иванова", "Иванова"),
    ("ИВАНОВА", "Иванова"), ("ivanova@EXAMPLE.ORG", "Иванова")])
def test_sign_in_finds_the_account_whatever_the_case_typed(app, ivanova, typed, owner):
    password = password_of(owner, ivanova)
    assert login(app, typed, password)
    answer = app.test_client().post("/api/v1/security/login", json={
        "username": typed, "password": password, "provider": "db"})
    assert answer.status_code == 200 and answer.get_json()["access_token"]


def test_sign_in_with_a_name_that_cannot_be_stored_is_simply_wrong(app):
    for name in ("\ud800", "zal.director\x00"):
        answer = app.test_client().post("/api/v1/security/login", json={
            "username": name, "password": PASSWORD, "provider": "db"})
        assert answer.status_code in (400, 401)  # refused, not a database error
    page = app.test_client().post("/login/", data={"username": "zal.director\x00", "password": PASSWORD})
    assert page.status_code < 500 and "/login" in page.headers.get("Location", "/login")


# -- creating and renaming --------------------------------------------------------

@pytest.mark.parametrize("name, owner", CLASHES)
def test_every_account_screen_refuses_a_name_that_differs_only_in_case(
        app, owner_engine, ivanova, ids, name, owner):
    for url in account_screens(app):
        for user in screen_users(url):
            client = login(app, user)
            before = accounts(owner_engine)
            page = client.post(url, query_string={"_l_": "en"}, data=form(name, ids))
            assert page.status_code == 200, (url, user)  # the form again, with the message
            assert TAKEN["en"] in page.get_data(as_text=True), (url, user)
            assert accounts(owner_engine) == before, (url, user)
            page = client.post(url, query_string={"_l_": "ru"}, data=form(name, ids))
            assert TAKEN["ru"] in page.get_data(as_text=True), (url, user)
    assert login(app, owner, password_of(owner, ivanova))  # the owner is not locked out


def test_every_account_screen_refuses_an_e_mail_address_that_differs_only_in_case(
        app, owner_engine, ivanova, ids):
    for url in account_screens(app):
        for user in screen_users(url):
            page = login(app, user).post(url, query_string={"_l_": "en"},
                                         data=form("fresh.name", ids, email="IVANOVA@example.org"))
            assert page.status_code == 200 and EMAIL_TAKEN in page.get_data(as_text=True), (url, user)
            assert count(owner_engine, "SELECT count(*) FROM ab_user WHERE username = 'fresh.name'") == 0
    assert login(app, "ИВАНОВА", OWNER_PASSWORD)


def test_an_account_cannot_be_renamed_to_a_taken_name(app, owner_engine, ivanova):
    viewer = count(owner_engine, "SELECT id FROM ab_user WHERE username = 'zal.viewer'")
    admin = login(app, "admin")
    page = admin.get(f"/users/edit/{viewer}")
    assert page.status_code == 200
    before = snapshot(owner_engine), count(owner_engine, "SELECT username || email FROM ab_user WHERE id = :i", i=viewer)
    for name in ("KIR.DIRECTOR", "иванОВА"):
        page = admin.post(f"/users/edit/{viewer}", query_string={"_l_": "en"}, data={
            "first_name": "Андрей", "last_name": "Гусев", "username": name, "active": "y",
            "email": "zal.viewer@localhost", "roles": count(owner_engine, "SELECT id FROM ab_role WHERE name = 'Viewer'")})
        assert page.status_code == 200 and TAKEN["en"] in page.get_data(as_text=True)
    # The Director's screen changes no user name, but an e-mail address.
    page = login(app, "zal.director").post(f"/accountview/edit/{viewer}", query_string={"_l_": "en"}, data={
        "first_name": "Андрей", "last_name": "Гусев", "email": "ivanova@example.ORG",
        "tenant": count(owner_engine, "SELECT tenant_id FROM ab_user WHERE id = :i", i=viewer),
        "roles": count(owner_engine, "SELECT id FROM ab_role WHERE name = 'Viewer'"), "active": "y"})
    assert page.status_code == 200 and EMAIL_TAKEN in page.get_data(as_text=True)
    assert (snapshot(owner_engine), count(owner_engine, "SELECT username || email FROM ab_user WHERE id = :i",
                                          i=viewer)) == before
    assert login(app, "zal.viewer") and login(app, "kir.director")


@pytest.mark.parametrize("name, owner", CLASHES)
def test_every_account_api_refuses_a_name_that_differs_only_in_case(
        app, owner_engine, ivanova, ids, name, owner):
    admin = login(app, "admin")
    for url in account_apis(app):
        before = accounts(owner_engine)
        answer = admin.post(url, json=body(name, ids), headers={"Accept-Language": "en"})
        assert answer.status_code == 422, answer.get_json()
        assert answer.get_json()["errors"] == {"username": [TAKEN["en"]]}
        assert accounts(owner_engine) == before
    assert login(app, owner, password_of(owner, ivanova))


def test_the_user_api_adds_and_renames_accounts_by_the_same_rule(app, owner_engine, ivanova, ids):
    admin = login(app, "admin")
    answer = admin.post("/api/v1/security/users/", json=body("Api.Reader", ids, email="api.reader@example.org"))
    assert answer.status_code == 201, answer.get_json()  # the keys are kept on this path too
    pk = answer.get_json()["id"]
    assert login(app, "API.READER", NEW_PASSWORD)
    answer = admin.put(f"/api/v1/security/users/{pk}", json={"username": "Kir.Director"},
                       headers={"Accept-Language": "en"})
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"username": [TAKEN["en"]]}
    answer = admin.put(f"/api/v1/security/users/{pk}", json={"email": "IVANOVA@example.org"},
                       headers={"Accept-Language": "en"})
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"email": [EMAIL_TAKEN]}
    answer = admin.put(f"/api/v1/security/users/{pk}", json={"username": "api.READER"})
    assert answer.status_code == 200  # its own name in another case is its own
    assert login(app, "kir.director") and login(app, "Иванова", OWNER_PASSWORD)
    for missing in ("999999", "abc", "99999999999999999999"):  # not found, whatever its id
        assert admin.put(f"/api/v1/security/users/{missing}", json={"first_name": "X"}).status_code == 404


@pytest.mark.parametrize("name, owner", CLASHES)
def test_the_cli_refuses_a_name_that_differs_only_in_case(app, owner_engine, ivanova, name, owner):
    before = accounts(owner_engine)
    result = app.test_cli_runner().invoke(args=[
        "users", "add", name, "--role", "Viewer", "--tenant", "Залегощенский район",
        "--password", NEW_PASSWORD])
    assert result.exit_code != 0 and "exists already" in result.output and "whatever their case" in result.output
    assert accounts(owner_engine) == before
    assert login(app, owner, password_of(owner, ivanova))


def test_the_cli_refuses_an_e_mail_address_that_differs_only_in_case(app, owner_engine, ivanova):
    result = app.test_cli_runner().invoke(args=[
        "users", "add", "cli.fresh", "--role", "Viewer", "--tenant", "Залегощенский район",
        "--password", NEW_PASSWORD, "--email", "IVANOVA@EXAMPLE.ORG"])
    assert result.exit_code != 0 and "e-mail address" in result.output
    assert count(owner_engine, "SELECT count(*) FROM ab_user WHERE username = 'cli.fresh'") == 0


# -- no database text ----------------------------------------------------------------

@pytest.fixture
def unchecked(monkeypatch):
    """The checks before saving skipped: the database itself refuses the duplicate."""
    from app.api import base as api_base
    from app.security import users
    from app.views import base as view_base

    monkeypatch.setattr(users, "taken", lambda *args, **kwargs: {})

    monkeypatch.setattr(view_base, "problems", lambda *args, **kwargs: {})
    monkeypatch.setattr(api_base, "problems", lambda *args, **kwargs: {})


def shown(response) -> str:
    return response.get_data(as_text=True)


def opened(client, url):
    """The client, having come to `url` from its list, as a user does: FAB goes back there
    after a save, and the list shows what was flashed."""
    for page in ("/" + url.strip("/").split("/")[0] + "/list/", url):
        assert client.get(page).status_code == 200, page
    return client


def test_a_refused_account_shows_no_database_text(app, owner_engine, ivanova, ids, unchecked):
    for url in account_screens(app):
        for user in screen_users(url):
            before = accounts(owner_engine)
            client = opened(login(app, user), url)
            page = client.post(url, query_string={"_l_": "ru"}, data=form("ZAL.DIRECTOR", ids),
                               follow_redirects=True)
            assert REFUSED["ru"] in shown(page), (url, user)
            assert not DATABASE_WORDS.search(shown(page)), (url, user, DATABASE_WORDS.search(shown(page)))
            assert accounts(owner_engine) == before
    for url in account_apis(app):
        answer = login(app, "admin").post(url, json=body("ИВАНОВА", ids), headers={"Accept-Language": "en"})
        assert 400 <= answer.status_code < 500 and REFUSED["en"] in shown(answer)
        assert not DATABASE_WORDS.search(shown(answer))
    assert login(app, "zal.director") and login(app, "Иванова", OWNER_PASSWORD)


def test_a_refused_rename_shows_no_database_text(app, owner_engine, ivanova, unchecked):
    viewer = count(owner_engine, "SELECT id FROM ab_user WHERE username = 'zal.viewer'")
    role = count(owner_engine, "SELECT id FROM ab_role WHERE name = 'Viewer'")
    admin = opened(login(app, "admin"), f"/users/edit/{viewer}")
    page = admin.post(f"/users/edit/{viewer}", query_string={"_l_": "en"}, follow_redirects=True, data={
        "first_name": "Андрей", "last_name": "Гусев", "username": "ZAL.Director", "active": "y",
        "email": "zal.viewer@localhost", "roles": role})
    assert REFUSED["en"] in shown(page) and not DATABASE_WORDS.search(shown(page))
    answer = login(app, "admin").put(f"/api/v1/security/users/{viewer}", json={"username": "Admin"},
                                     headers={"Accept-Language": "en"})
    assert answer.status_code == 422 and answer.get_json() == {"message": REFUSED["en"]}, shown(answer)
    assert count(owner_engine, "SELECT username FROM ab_user WHERE id = :i", i=viewer) == "zal.viewer"


def test_a_refused_record_shows_no_database_text(app, owner_engine, unchecked):
    """The record screens and APIs share the data interface that says it in words."""
    client = opened(login(app, "zal.director"), "/clubview/add")
    with owner_engine.connect() as conn:
        library, club = conn.execute(text(
            "SELECT library_id, id FROM club WHERE name = 'Неугасимая лампада'")).one()
        other = conn.scalar(text("SELECT id FROM club WHERE library_id = :l AND id != :c"),
                            {"l": library, "c": club})
    before = snapshot(owner_engine)
    data = {"name": "Неугасимая лампада", "library": library, "audience": "youth", "members": "3",
            "active": "y"}
    page = client.post("/clubview/add", query_string={"_l_": "ru"}, data=data, follow_redirects=True)
    assert REFUSED["ru"] in shown(page) and not DATABASE_WORDS.search(shown(page))
    answer = client.post("/api/v1/club/", json={**data, "members": 3, "active": True})
    assert answer.status_code == 422 and answer.get_json()["message"] in REFUSED.values()
    if other is not None:  # a rename onto a taken name, on the API
        version = client.get(f"/api/v1/club/{other}").get_json()["result"].get("version")
        answer = client.put(f"/api/v1/club/{other}", json={"name": "Неугасимая лампада", "version": version},
                            headers={"Accept-Language": "en"})
        assert answer.status_code == 422 and answer.get_json()["message"] in REFUSED.values()
        assert not DATABASE_WORDS.search(shown(answer))
    assert snapshot(owner_engine) == before


def test_a_duplicate_group_shows_no_database_text(app):
    """Groups are kept on Admin's screen only (FAB's group API, which answered a duplicate
    name with the database's refusal, is not served): a duplicate is refused in words."""
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "admin", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ru"}
    assert client.post("/api/v1/security/groups/", json={"name": "Группа дважды"},
                       headers=headers).status_code == 404
    admin = opened(login(app, "admin"), "/groups/add")
    first = admin.post("/groups/add", data={"name": "Группа дважды"}, query_string={"_l_": "ru"})
    assert first.status_code == 302
    again = admin.post("/groups/add", data={"name": "Группа дважды"}, query_string={"_l_": "ru"},
                       follow_redirects=True)
    assert again.status_code == 200 and "Уже существует." in shown(again)
    assert not DATABASE_WORDS.search(shown(again))
