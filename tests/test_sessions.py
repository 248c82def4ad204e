"""Sessions and tokens end with the password: every other session and token of the user,
after a change on any path; the session that made the change goes on."""
import uuid

import pytest
from sqlalchemy import text

from app.extensions import db
from app.tenancy.session import unrestricted

from .conftest import PASSWORD, login, make_app

NEW = "Fresh-password-2027"
WRONG = "Not-the-password-1"
CHANGED = "Ваш пароль был изменён: войдите с новым."


@pytest.fixture
def account(app, owner_engine):
    """An account of this test's own (a Viewer of Залегощенский район): its id and name."""
    from app.cli import create_user

    username = f"ses.{uuid.uuid4().hex[:6]}"
    with app.app_context(), unrestricted(db.session):
        uid = create_user(username, "Viewer", tenant="Залегощенский район", password=PASSWORD).id
    yield uid, username
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM ab_user_role WHERE user_id = :id"), {"id": uid})
        conn.execute(text("DELETE FROM ab_user WHERE id = :id"), {"id": uid})


def api_login(client, username, password, **kw):
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": True}, **kw)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Signed:
    """Everything a user holds after signing in: a session cookie and a pair of tokens."""

    def __init__(self, app, username, password=PASSWORD):
        self.app = app
        self.browser = login(app, username, password)
        tokens = api_login(app.test_client(), username, password).get_json()
        self.access, self.refresh = tokens["access_token"], tokens["refresh_token"]

    def page(self):
        return self.browser.get("/libraryview/list/").status_code

    def api(self):
        return self.app.test_client().get("/api/v1/library/", headers=bearer(self.access)).status_code

    def refreshed(self):
        return self.app.test_client().post("/api/v1/security/refresh", headers=bearer(self.refresh))

    def assert_alive(self):
        assert (self.page(), self.api(), self.refreshed().status_code) == (200, 200, 200)

    def assert_ended(self):
        response = self.browser.get("/libraryview/list/", headers={"Accept-Language": "ru"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert CHANGED in self.browser.get(response.headers["Location"]).get_data(as_text=True)
        assert self.api() == 401
        assert self.refreshed().status_code == 401


def elsewhere():
    """An address of its own: the failures a test means to make do not count against the
    address every other test of the run signs in from (the limits count per address)."""
    return {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}


def change_own(client, current, new=NEW, **kw):
    return client.post("/resetmypassword/form", data={
        "current_password": current, "password": new, "conf_password": new},
        environ_base=elsewhere(), **kw)


def can_sign_in(app, username, password):
    return api_login(app.test_client(), username, password,
                     environ_base=elsewhere()).status_code == 200


def test_changing_ones_password_ends_every_other_session_and_token(app, account):
    _, username = account
    here, elsewhere = Signed(app, username), Signed(app, username)
    here.assert_alive(), elsewhere.assert_alive()
    response = change_own(here.browser, PASSWORD)
    assert response.status_code == 302
    elsewhere.assert_ended()
    assert here.page() == 200  # the session that changed it goes on...
    assert here.api() == 401   # ...but its tokens, like every other, are ended
    assert not can_sign_in(app, username, PASSWORD) and can_sign_in(app, username, NEW)
    Signed(app, username, NEW).assert_alive()  # and a new login is whole again


def test_a_refreshed_token_ends_with_its_refresh_token(app, account):
    uid, username = account
    held = Signed(app, username)
    access = held.refreshed().get_json()["access_token"]
    assert app.test_client().get("/api/v1/library/", headers=bearer(access)).status_code == 200
    with app.app_context(), unrestricted(db.session):
        app.appbuilder.sm.reset_password(uid, NEW)
    assert app.test_client().get("/api/v1/library/", headers=bearer(access)).status_code == 401


def test_an_admin_reset_ends_every_session_of_the_user(app, account, as_user):
    uid, username = account
    held, admin = Signed(app, username), as_user("admin")
    users = admin.get(f"/users/action/resetpasswords/{uid}")  # the Admin's user screen
    assert users.status_code == 302 and f"/resetpassword/form?pk={uid}" in users.headers["Location"]
    response = admin.post("/resetpassword/form", query_string={"pk": uid},
                          data={"password": NEW, "conf_password": NEW})
    assert response.status_code == 302
    held.assert_ended()
    assert admin.get("/libraryview/list/").status_code == 200  # not the Admin's own
    assert can_sign_in(app, username, NEW)


@pytest.mark.parametrize("pk", ["999999", "abc", "2" * 30, ""])
def test_an_admin_reset_of_no_such_user_is_a_404(as_user, pk):
    admin = as_user("admin")
    assert admin.get("/resetpassword/form", query_string={"pk": pk}).status_code == 404
    response = admin.post("/resetpassword/form", query_string={"pk": pk},
                          data={"password": NEW, "conf_password": NEW})
    assert response.status_code == 404


def test_a_change_through_the_user_api_or_the_cli_ends_the_sessions(app, account, as_user):
    uid, username = account
    held = Signed(app, username)
    admin = api_login(app.test_client(), "admin", PASSWORD).get_json()["access_token"]
    response = app.test_client().put(f"/api/v1/security/users/{uid}", headers=bearer(admin),
                                     json={"password": NEW})
    assert response.status_code == 200
    held.assert_ended()
    held = Signed(app, username, NEW)
    from flask_appbuilder.cli import fab  # `flask fab reset-password`

    # As the app's own commands run: with the whole network in view (on PostgreSQL, FAB's
    # command alone cannot write the audit entry of the change, under row-level security).
    with app.app_context(), unrestricted(db.session):
        result = app.test_cli_runner().invoke(fab, ["reset-password", "--username", username,
                                                    "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    held.assert_ended()


def test_the_wrong_current_password_is_refused_and_changes_nothing(app, account, owner_engine):
    uid, username = account
    held = Signed(app, username)
    with owner_engine.connect() as conn:
        before = conn.execute(text("SELECT password, session_epoch FROM ab_user WHERE id = :id"),
                              {"id": uid}).one()
    page = change_own(held.browser, WRONG, headers={"Accept-Language": "ru"})
    assert page.status_code == 200 and "Текущий пароль указан неверно." in page.get_data(as_text=True)
    assert change_own(held.browser, "").status_code == 200
    page = change_own(held.browser, WRONG, query_string={"_l_": "bg"})
    assert "Текущата парола е грешна." in page.get_data(as_text=True)
    with owner_engine.connect() as conn:
        after = conn.execute(text("SELECT password, session_epoch FROM ab_user WHERE id = :id"),
                             {"id": uid}).one()
    assert after == before
    held.assert_alive()


def test_the_password_screen_asks_for_the_current_password_first(app, account):
    _, username = account
    page = login(app, username).get("/resetmypassword/form", headers={"Accept-Language": "ru"})
    body = page.get_data(as_text=True)
    assert 'name="current_password"' in body and "Текущий пароль" in body
    assert body.index('name="current_password"') < body.index('name="password"')


def test_a_change_the_database_refuses_is_not_reported_as_done(app, account, monkeypatch):
    _, username = account
    browser = login(app, username)
    monkeypatch.setattr(app.appbuilder.sm, "update_user", lambda user: False)
    response = change_own(browser, PASSWORD, query_string={"_l_": "ru"})
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Не удалось изменить пароль." in page and "Пароль изменён" not in page
    monkeypatch.undo()
    assert can_sign_in(app, username, PASSWORD) and not can_sign_in(app, username, NEW)
    assert browser.get("/libraryview/list/").status_code == 200
