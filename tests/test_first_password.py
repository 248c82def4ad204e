"""A password someone else gave is for the first sign-in only: the new user is led to
choose her own before anything else, and the API says so; an operator's accounts are not."""
from sqlalchemy import text

from .conftest import PASSWORD, login
from .test_sessions import api_login, bearer, change_own

GIVEN, OWN = "Svetlina-1899-given", "Moya-sobstvennaya-2026"


def _account(owner_engine, username):
    with owner_engine.connect() as conn:
        library = conn.scalar(text("SELECT id FROM library WHERE name = 'Бортновская сельская библиотека'"))
        role = conn.scalar(text("SELECT id FROM ab_role WHERE name = 'Branch staff'"))
    return {"username": username, "first_name": "Вера", "last_name": "Ёлкина", "email": f"{username}@example.org",
            "password": GIVEN, "conf_password": GIVEN, "active": "y", "library": library, "roles": role}


def _drop(owner_engine, username):
    with owner_engine.begin() as conn:
        uid = conn.scalar(text("SELECT id FROM ab_user WHERE username = :u"), {"u": username})
        conn.execute(text("DELETE FROM ab_user_role WHERE user_id = :u"), {"u": uid})
        conn.execute(text("DELETE FROM ab_user WHERE id = :u"), {"u": uid})


def test_a_new_account_chooses_its_own_password_before_anything_else(app, owner_engine):
    director = login(app, "zal.director")
    assert director.post("/accountview/add", data=_account(owner_engine, "zal.first")).status_code == 302
    try:
        newcomer = login(app, "zal.first", GIVEN)
        for path in ("/", "/clubview/list/", "/api/v1/club/"):  # every page leads to the form
            response = newcomer.get(path, headers={"Accept-Language": "ru"})
            if path.startswith("/api/"):
                assert response.status_code == 403
                assert response.get_json()["message"].startswith("Придумайте собственный пароль")
            else:
                assert response.status_code == 302 and response.headers["Location"].endswith("/resetmypassword/form")
        page = newcomer.get("/?_l_=bg", follow_redirects=True).get_data(as_text=True)
        assert "Изберете своя парола: дадената ви парола беше само за първото влизане." in page
        assert 'name="password"' in page  # the form itself
        token = api_login(app.test_client(), "zal.first", GIVEN).get_json()["access_token"]
        assert app.test_client().get("/api/v1/club/", headers=bearer(token)).status_code == 403

        assert change_own(newcomer, GIVEN, OWN).status_code == 302
        assert newcomer.get("/clubview/list/").status_code == 200  # her own password: the way is open
        token = api_login(app.test_client(), "zal.first", OWN).get_json()["access_token"]
        assert app.test_client().get("/api/v1/club/", headers=bearer(token)).status_code == 200

        # A director's reset of it is a given password again.
        uid = owner_engine.connect().scalar(text("SELECT id FROM ab_user WHERE username = 'zal.first'"))
        admin = login(app, "admin")
        assert admin.post("/resetpassword/form", query_string={"pk": uid},
                          data={"password": GIVEN, "conf_password": GIVEN}).status_code == 302
        again = login(app, "zal.first", GIVEN)
        assert again.get("/clubview/list/").status_code == 302
    finally:
        _drop(owner_engine, "zal.first")


def test_an_operators_accounts_and_the_demos_sign_in_as_they_are(app, owner_engine):
    from app.cli import create_user
    from app.extensions import db
    from app.tenancy.session import unrestricted

    with app.app_context(), unrestricted(db.session):
        create_user("zal.operators", "Viewer", tenant="Залегощенский район", password=PASSWORD)
    try:
        assert login(app, "zal.operators").get("/clubview/list/").status_code == 200
        assert login(app, "zal.director").get("/clubview/list/").status_code == 200
    finally:
        _drop(owner_engine, "zal.operators")
