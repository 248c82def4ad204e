"""The operator's side: a quiet start-up log, Admin's screens from this machine only, one
list of users, and FAB's user and role screens in Russian and Bulgarian."""
import logging
import re
from html import unescape

import pytest

from app.extensions import db
from app.tenancy.session import unrestricted

from .conftest import PASSWORD, login, make_app

# FAB's start-up advice for other setups (app/logs.py, app/security/admin_views.py).
NOISE = ("Filter type not supported", "No user yet created", "Refused to delete permission view")


def test_start_up_log_holds_no_framework_noise(urls, caplog, monkeypatch):
    # Alembic's logging setup (migrations/env.py) turns off the loggers that existed when
    # the test database was migrated; a served app's are on.
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("flask_appbuilder") and isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    app = make_app(urls)  # the roles and permissions are synced as at every start
    with app.app_context(), unrestricted(db.session):
        sm = app.appbuilder.sm
        count_users = sm.count_users
        sm.count_users = lambda: 0  # a first start: the roles come before any account
        try:
            sm.sync_roles()
        finally:
            sm.count_users = count_users
        app.appbuilder.add_permissions(update_perms=True)
    noisy = [r.getMessage() for r in caplog.records if r.getMessage().startswith(NOISE)]
    assert not noisy, noisy
    # Not every warning: another of FAB's still reaches the log.
    logging.getLogger("flask_appbuilder.security.manager").warning("a real warning")
    assert "a real warning" in caplog.text


def test_a_sign_in_logs_a_refused_redirect_only(app, caplog, monkeypatch):
    logger = logging.getLogger("flask_appbuilder.utils.base")
    monkeypatch.setattr(logger, "disabled", False)  # see above: alembic's logging setup
    caplog.set_level(logging.WARNING)
    login(app, "zal.viewer")  # asked for no page: nothing was refused
    assert "Invalid redirect" not in caplog.text
    client = app.test_client()
    client.post("/login/?next=https://elsewhere.example/", data={"username": "zal.viewer",
                                                                  "password": PASSWORD})
    assert "Invalid redirect" in caplog.text  # a page on another host was refused: said


# -- Admin's pages --------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin(app):
    return login(app, "admin")


def _menu_urls(app, client) -> list[str]:
    """The links of the menu as Admin sees it (the rendered navigation bar)."""
    html = client.get("/users/userinfo/").get_data(as_text=True)
    nav = html[html.index('<ul class="nav navbar-nav">'):html.index('<ul class="nav navbar-nav navbar-right">')] \
        if '<ul class="nav navbar-nav navbar-right">' in html else html
    return sorted({unescape(u) for u in re.findall(r'<a tabindex="-1" href="([^"#]+)"', nav)})


def _text(html: str) -> str:
    """What a reader sees: no scripts, styles or tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_no_admin_page_loads_anything_from_another_host(app, admin):
    urls = _menu_urls(app, admin)
    assert "/roles/list/" in urls and len(urls) > 10, urls
    pages = [*urls, "/users/list/", "/users/add", "/roles/add", "/users/userinfo/", "/roles/show/1"]
    outside = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        found = outside.findall(html)
        assert not found, f"{url} loads from another host: {found}"
    # FAB's user statistics (Google Charts from the internet) are gone, menu and page.
    assert not any("userstats" in url.lower() for url in urls)
    assert admin.get("/userstatschartview/chart/").status_code == 404


def test_admin_menu_has_one_list_of_users(app, admin):
    urls = _menu_urls(app, admin)
    user_lists = [url for url in urls if url.startswith(("/users/list", "/accountview/list"))]
    assert user_lists == ["/accountview/list/"], urls
    assert "/groups/list/" not in urls  # groups grant nothing here


ENGLISH = re.compile(r"\b(List|Users?|Roles?|Active|Is Active\?|First Name|Last Name|Edit|Add|"
                     r"Search|Show|Delete|Email|Permissions?|Groups?|True|False|Admin|Director|"
                     r"Methodologist|Viewer|Public|Password|Save|Back|Statistics|Name|"
                     r"Every|Visitor|The user)\b")


def _admin_in(app, locale):
    client = login(app, "admin")
    client.get(f"/lang/{locale}")
    return client


@pytest.mark.parametrize("locale", ["ru", "bg"])
def test_fab_user_and_role_screens_speak_the_users_language(app, owner_engine, locale):
    from sqlalchemy import text

    with owner_engine.connect() as conn:
        user = conn.scalar(text("SELECT id FROM ab_user WHERE username = 'zal.director'"))
        role = conn.scalar(text("SELECT id FROM ab_role WHERE name = 'Director'"))
    client = _admin_in(app, locale)
    pages = ["/users/list/", "/users/add", f"/users/edit/{user}", f"/users/show/{user}",
             "/users/userinfo/", "/roles/list/", "/roles/add", f"/roles/show/{role}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        # the language menu names English itself; the rest of the page must not be it
        seen = _text(html).replace("English", "")
        words = sorted(set(ENGLISH.findall(seen)))
        assert not words, f"{locale} {url} shows English: {words}"
        assert "('" not in seen and "[Director]" not in seen, f"{locale} {url} shows Python values"
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", seen), f"{locale} {url} shows an ISO time"


def test_roles_list_reads_as_lines_and_keeps_builtin_roles_fixed(app, owner_engine):
    from sqlalchemy import text

    client = _admin_in(app, "ru")
    html = client.get("/roles/list/").get_data(as_text=True)
    seen = _text(html)
    assert "Директор" in seen and "Все экраны: все права" in seen
    assert "Библиотеки: menu_access" in seen and "LibraryView: can_list, can_show" in seen
    assert "&#39;" not in html and "('" not in seen
    with owner_engine.connect() as conn:
        role = conn.scalar(text("SELECT id FROM ab_role WHERE name = 'Director'"))
    assert f"/roles/edit/{role}" not in html and f"/roles/delete/{role}" not in html
    # The service's own roles are fixed by its code: an edit by URL is refused, in words.
    response = client.post(f"/roles/edit/{role}", data={"name": "Boss"}, follow_redirects=True)
    assert "Эта роль встроена в сервис" in response.get_data(as_text=True)
    with owner_engine.connect() as conn:
        assert conn.scalar(text("SELECT name FROM ab_role WHERE id = :id"), {"id": role}) == "Director"
