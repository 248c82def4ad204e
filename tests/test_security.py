"""Login limits, passwords, sessions, response headers and CSRF."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import text

from app.extensions import db
from app.security.passwords import common_passwords, password_problem
from app.tenancy.session import unrestricted

from .conftest import PASSWORD, login, make_app, snapshot

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/5"  # a database of its own: the tests flush only their keys
WRONG = "Not-the-password-1"


def redis_or_skip():
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own, and its keys removed afterwards."""
    redis_or_skip()
    import redis

    prefix = f"libnet-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def form_login(client, username, password, **kw):
    return client.post("/login/", data={"username": username, "password": password}, **kw)


def api_login(client, username, password, **kw):
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db"}, **kw)


# -- login limits --------------------------------------------------------------

@pytest.mark.parametrize("attempt", [form_login, api_login], ids=["form", "api"])
def test_the_eleventh_wrong_password_within_a_minute_answers_429(urls, attempt):
    client = make_app(urls).test_client()
    answers = [attempt(client, "zal.director", WRONG).status_code for _ in range(10)]
    assert 429 not in answers
    refused = attempt(client, "zal.director", WRONG, headers={"Accept-Language": "ru"})
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    message = "Слишком много запросов: подождите минуту и повторите."
    if attempt is api_login:
        assert refused.get_json() == {"message": message}
    else:
        assert message in refused.get_data(as_text=True)
    # The right password does not get through either, until the minute is over.
    assert attempt(client, "zal.director", PASSWORD).status_code == 429


def test_the_limit_holds_per_user_name_across_addresses_and_per_address_across_names(urls):
    client = make_app(urls).test_client()
    for n in range(10):
        assert form_login(client, "zal.viewer", WRONG,
                          environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code == 302
    assert form_login(client, "zal.viewer", WRONG,
                      environ_base={"REMOTE_ADDR": "10.0.0.99"}).status_code == 429
    for n in range(10):
        assert api_login(client, f"nobody{n}", WRONG,
                         environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 401
    assert api_login(client, "zal.director", PASSWORD,
                     environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 429
    # Another address and another user are not held up by them.
    assert api_login(client, "zal.director", PASSWORD,
                     environ_base={"REMOTE_ADDR": "10.0.1.2"}).status_code == 200


def test_successful_logins_do_not_count(urls):
    client = make_app(urls).test_client()
    for _ in range(15):
        assert api_login(client, "zal.director", PASSWORD).status_code == 200
        response = form_login(client, "zal.director", PASSWORD)
        assert response.status_code == 302 and "/login" not in response.headers["Location"]
        client.get("/logout/")


def test_two_processes_share_the_counts_in_redis(urls, redis_prefix):
    """Two app instances stand for two gunicorn workers: one store, one count."""
    config = {"RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": redis_prefix}
    first, second = make_app(urls, **config).test_client(), make_app(urls, **config).test_client()
    for n in range(10):
        assert api_login(first if n % 2 else second, "zal.director", WRONG).status_code == 401
    assert api_login(first, "zal.director", WRONG).status_code == 429
    assert api_login(second, "zal.director", WRONG).status_code == 429


def from_address(n):
    return {"environ_base": {"REMOTE_ADDR": f"10.9.{n // 250}.{n % 250 + 1}"}}


def change_own(client, current, new="Fresh-password-2027", **kw):
    return client.post("/resetmypassword/form", data={
        "current_password": current, "password": new, "conf_password": new}, **kw)


def test_ten_failures_by_any_path_and_spelling_leave_the_eleventh_refused_everywhere(
        urls, owner_engine):
    with owner_engine.connect() as conn:
        email = conn.scalar(text("SELECT email FROM ab_user WHERE username = 'zal.director'"))
    spellings = ["zal.director", "ZAL.Director", email, email.upper(), " Zal.DIRECTOR "]
    client = make_app(urls).test_client()
    for n in range(10):  # each from an address of its own: the account's count alone holds
        name = spellings[n % len(spellings)]
        if n % 2:
            assert api_login(client, name, WRONG, **from_address(n)).status_code == 401
        else:
            response = form_login(client, name, WRONG, **from_address(n))
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    for attempt in (form_login, api_login):
        for name in ("zal.director", email.title()):
            assert attempt(client, name, PASSWORD, **from_address(50)).status_code == 429
    # Another account is not held up.
    assert api_login(client, "zal.viewer", PASSWORD, **from_address(50)).status_code == 200


def test_an_unknown_name_is_counted_whatever_its_case(urls):
    client = make_app(urls).test_client()
    for n in range(10):
        name = "No.Such.User" if n % 2 else "no.such.USER"
        assert api_login(client, name, WRONG, **from_address(n)).status_code == 401
    assert form_login(client, "NO.SUCH.USER", WRONG, **from_address(60)).status_code == 429
    assert api_login(client, "no.such.user2", WRONG, **from_address(60)).status_code == 401


def test_the_address_counts_across_both_paths(urls):
    client, here = make_app(urls).test_client(), from_address(70)
    for n in range(10):
        attempt = api_login if n % 2 else form_login
        assert attempt(client, f"nobody{n}", WRONG, **here).status_code in (302, 401)
    assert form_login(client, "zal.viewer", PASSWORD, **here).status_code == 429
    assert api_login(client, "zal.viewer", PASSWORD, **here).status_code == 429


def test_wrong_current_passwords_count_against_the_account(urls, temporary_viewer):
    app, username = make_app(urls), temporary_viewer
    browser = login(app, username)
    for n in range(10):
        assert change_own(browser, WRONG, **from_address(n)).status_code == 200
    assert change_own(browser, PASSWORD, **from_address(80)).status_code == 429
    assert api_login(app.test_client(), username, PASSWORD, **from_address(81)).status_code == 429


def test_unreadable_names_are_answered_not_crashed(urls):
    client = make_app(urls).test_client()
    for name in ("\ud800", "a\x00b", "x" * 5000, "", None, 7):
        response = client.post("/api/v1/security/login",
                               json={"username": name, "password": WRONG, "provider": "db"},
                               **from_address(90))
        assert response.status_code in (400, 401), name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post_login(port, username, password):
    body = f'{{"username": "{username}", "password": "{password}", "provider": "db"}}'.encode()
    request = Request(f"http://127.0.0.1:{port}/api/v1/security/login", data=body,
                      headers={"Content-Type": "application/json"})
    try:
        with urlopen(request, timeout=20) as response:
            return response.status
    except HTTPError as error:
        return error.code


def _wait_for(port, deadline):
    while True:
        try:
            with urlopen(f"http://127.0.0.1:{port}/login/", timeout=5):
                return
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.5)


class HeldConnection:
    """A login request whose headers are not finished: the sync worker that accepts it
    is busy reading it, so the other worker takes every other request meanwhile."""

    BODY = b'{"username": "zal.director", "password": "Not-the-password-1", "provider": "db"}'

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.sock.sendall(b"POST /api/v1/security/login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)  # until a worker has accepted it

    def finish(self) -> int:
        self.sock.sendall(b"Content-Type: application/json\r\nConnection: close\r\n"
                          b"Content-Length: %d\r\n\r\n%s" % (len(self.BODY), self.BODY))
        reply = b""
        while chunk := self.sock.recv(65536):
            reply += chunk
        self.sock.close()
        return int(reply.split(b" ", 2)[1])


def test_the_limit_holds_across_gunicorn_workers_with_redis(urls, tmp_path, redis_prefix):
    owner, service = urls
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": service, "MIGRATION_DATABASE_URL": owner,
           "SECRET_KEY": "test-" + redis_prefix, "INSTANCE_DIR": str(tmp_path),
           "RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": redis_prefix,
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "60",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        _wait_for(port, deadline=time.monotonic() + 60)
        first = HeldConnection(port)                  # one worker busy...
        answers = [_post_login(port, "zal.director", WRONG) for _ in range(4)]  # ...the other serves
        second = HeldConnection(port)                 # now that one is busy too
        answers.append(first.finish())                # the first worker serves this...
        answers += [_post_login(port, "zal.director", WRONG) for _ in range(5)]  # ...and these
        assert answers == [401] * 10
        assert _post_login(port, "zal.director", WRONG) == 429   # the first worker: 6 of its own
        assert second.finish() == 429                             # the second: 4 of its own
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    pids = [line.split()[0] for line in log.read_text().splitlines() if line.split()[1] == "401"]
    assert len(set(pids)) == 2, "the failed attempts were not spread over both workers"


# -- passwords -----------------------------------------------------------------

@pytest.mark.parametrize("password, username, ok", [
    (PASSWORD, "zal.director", True),
    ("short-1", "someone", False),
    ("qwertyuiop", "someone", False),
    ("Password123", "someone", False),
    ("1q2w3e4r5t", "someone", False),
    ("ivanova.work", "ivanova.work", False),
    ("xIvanova2026x", "ivanova", False),
    ("correct horse battery", "someone", True),
])
def test_the_password_policy(app, password, username, ok):
    with app.test_request_context():
        assert (password_problem(password, username) is None) == ok


def test_the_common_list_is_shipped_and_in_force():
    assert 300 < len(common_passwords()) < 2000
    assert {"password", "qwerty123456", "йцукенгшщз"} <= common_passwords()


def test_resetting_ones_password_follows_the_policy(app, as_user):
    client = as_user("zal.viewer")
    for weak, reason in (("qwertyuiop", "most common"), ("zal.viewer-2026", "user name"),
                         ("short", "at least 10")):
        page = client.post("/resetmypassword/form", data={
            "current_password": PASSWORD, "password": weak, "conf_password": weak},
            headers={"Accept-Language": "en"}, query_string={"_l_": "en"})
        assert page.status_code == 200 and reason in page.get_data(as_text=True)
    assert login(app, "zal.viewer")  # unchanged


def test_fab_s_own_password_screens_and_user_api_follow_the_policy(app, as_user, owner_engine):
    admin = as_user("admin")
    with owner_engine.connect() as conn:
        viewer = conn.scalar(text("SELECT id FROM ab_user WHERE username = 'zal.viewer'"))
        role = conn.scalar(text("SELECT id FROM ab_role WHERE name = 'Viewer'"))
    form = admin.get("/resetpassword/form", query_string={"pk": viewer, "_l_": "en"})
    assert "not a common password" in form.get_data(as_text=True)
    page = admin.post("/resetpassword/form", query_string={"pk": viewer, "_l_": "en"},
                      data={"password": "zal.viewer.2026", "conf_password": "zal.viewer.2026"})
    assert page.status_code == 200 and "user name" in page.get_data(as_text=True)
    response = admin.post("/api/v1/security/users/", json={
        "username": "api.weak", "first_name": "A", "last_name": "B", "email": "a@example.org",
        "roles": [role], "active": True, "password": "qwerty123456"})
    assert response.status_code == 422 and "password" in response.get_json()["errors"]
    assert login(app, "zal.viewer")  # unchanged


def test_a_director_cannot_give_a_new_account_a_weak_password(app, as_user, owner_engine):
    client = as_user("zal.director")
    with owner_engine.connect() as conn:
        tenant = conn.scalar(text("SELECT id FROM tenant WHERE name = 'Залегощенский район'"))
        role = conn.scalar(text("SELECT id FROM ab_role WHERE name = 'Viewer'"))
    page = client.post("/accountview/add", query_string={"_l_": "en"}, data={
        "username": "weak.account", "first_name": "A", "last_name": "B", "email": "w@example.org",
        "tenant": tenant, "roles": role, "active": "y",
        "password": "1234567890", "conf_password": "1234567890"})
    assert page.status_code == 200 and "most common" in page.get_data(as_text=True)
    with owner_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM ab_user WHERE username = 'weak.account'")) == 0


def test_the_cli_refuses_a_weak_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "add", "cli.weak", "--role", "Viewer",
                                 "--tenant", "Залегощенский район", "--password", "qwertyuiop"])
    assert result.exit_code != 0 and "most common" in result.output


# -- sessions ------------------------------------------------------------------

def _cookie(response, name="session"):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(urls):
    app = make_app(urls)
    cookie = _cookie(form_login(app.test_client(), "zal.director", PASSWORD))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = form_login(app.test_client(), "zal.director", PASSWORD, base_url="https://localhost")
    assert "Secure" in _cookie(secure)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    # A forwarded scheme counts only behind a proxy the configuration trusts.
    forwarded = {"X-Forwarded-Proto": "https"}
    plain = form_login(app.test_client(), "zal.director", PASSWORD, headers=forwarded)
    assert "Secure" not in _cookie(plain) and "Strict-Transport-Security" not in plain.headers
    proxied = make_app(urls, TRUSTED_PROXIES=1)
    behind = form_login(proxied.test_client(), "zal.director", PASSWORD, headers=forwarded)
    assert "Secure" in _cookie(behind) and "Strict-Transport-Security" in behind.headers


def test_a_login_starts_a_new_session(app):
    client = app.test_client()
    client.get("/login/")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["sid"] = "chosen-by-an-attacker"
    before = client.get_cookie("session").value
    assert form_login(client, "zal.director", PASSWORD).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and session["sid"] != "chosen-by-an-attacker"
        assert session["_user_id"]
    assert client.get_cookie("session").value != before


def test_a_logout_ends_the_session_even_for_a_copy_of_the_cookie(app):
    client = login(app, "zal.director")
    assert client.get("/libraryview/list/").status_code == 200
    copy = client.get_cookie("session").value
    client.get("/logout/")
    assert client.get("/libraryview/list/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copy)
    response = thief.get("/libraryview/list/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def temporary_viewer(app, owner_engine):
    """An account of this test's own: a Viewer of Залегощенский район."""
    from app.cli import create_user

    username = f"sec.{uuid.uuid4().hex[:6]}"
    with app.app_context(), unrestricted(db.session):
        create_user(username, "Viewer", tenant="Залегощенский район", password=PASSWORD)
    yield username
    with owner_engine.begin() as conn:
        uid = conn.scalar(text("SELECT id FROM ab_user WHERE username = :u"), {"u": username})
        conn.execute(text("DELETE FROM ab_user_role WHERE user_id = :id"), {"id": uid})
        conn.execute(text("DELETE FROM ab_user WHERE id = :id"), {"id": uid})


def test_a_disabled_account_loses_access_on_its_next_request(app, owner_engine, temporary_viewer):
    client = login(app, temporary_viewer)
    token = api_login(app.test_client(), temporary_viewer, PASSWORD).get_json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/libraryview/list/").status_code == 200
    assert app.test_client().get("/api/v1/library/", headers=bearer).status_code == 200
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE ab_user SET active = :no WHERE username = :u"),
                     {"no": False, "u": temporary_viewer})
    assert client.get("/libraryview/list/").status_code == 302
    assert app.test_client().get("/api/v1/library/", headers=bearer).status_code == 401


def test_an_account_whose_role_is_removed_loses_access_on_its_next_request(
        app, owner_engine, temporary_viewer):
    client = login(app, temporary_viewer)
    assert client.get("/libraryview/list/").status_code == 200
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM ab_user_role WHERE user_id = "
                          "(SELECT id FROM ab_user WHERE username = :u)"), {"u": temporary_viewer})
    assert client.get("/libraryview/list/").status_code in (302, 403)
    assert client.get("/api/v1/library/").status_code in (401, 403)


# -- headers -------------------------------------------------------------------

def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_hardened(response, where):
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    csp = _csp(response)
    assert csp["frame-ancestors"] == ["'none'"], where
    sources = [s for values in csp.values() for s in values]
    assert not [s for s in sources if "//" in s or s in ("*", "http:", "https:")], where
    body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    nonce = next(s for s in csp["script-src"] if s.startswith("'nonce-"))[7:-1]
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert f'nonce="{nonce}"' in tag, f"{where}: {tag}"
    assert not re.search(r"<[^>]+\son[a-z]+=", body), f"{where}: an inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//(?!localhost[:/])", body), f"{where}: an outside address"


def test_every_response_carries_the_headers(app, as_user):
    visitor, admin = app.test_client(), as_user("admin")
    assert_hardened(visitor.get("/login/"), "/login/")
    assert_hardened(visitor.get("/no-such-page"), "404")
    assert_hardened(visitor.get("/api/v1/library/"), "API 401")
    assert_hardened(visitor.get("/static/appbuilder/css/ab.css"), "static")
    tried = 0
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and "logout" not in rule.rule \
                and not rule.rule.startswith("/lang"):
            assert_hardened(admin.get(rule.rule), rule.rule)
            tried += 1
    assert tried > 30


def test_a_page_shows_its_scripts_the_nonce_of_its_policy(as_user):
    page = as_user("zal.director").get("/clubview/list/")
    scripts = re.findall(r"<script\b[^>]*>", page.get_data(as_text=True))
    assert len(scripts) > 5
    assert_hardened(page, "list")


# -- CSRF ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def strict_app(urls):
    """The service as deployed: CSRF checks on (the other tests turn them off)."""
    return make_app(urls, WTF_CSRF_ENABLED=True)


def _token(client, url):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))[1]


def _strict_login(app, username):
    client = app.test_client()
    token = _token(client, "/login/")
    response = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrf_token": token})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def test_a_login_without_the_csrf_token_is_refused_and_counts_as_a_failure(strict_app):
    client, elsewhere = strict_app.test_client(), {"REMOTE_ADDR": "10.0.2.1"}
    answers = [form_login(client, "zal.viewer", PASSWORD, environ_base=elsewhere).status_code
               for _ in range(11)]
    assert answers == [400] * 10 + [429]
    assert _strict_login(strict_app, "zal.director")


def test_a_form_without_the_csrf_token_changes_nothing(strict_app, owner_engine):
    client = _strict_login(strict_app, "zal.director")
    before = snapshot(owner_engine)
    data = {"name": "Клуб без токена", "audience": "adults", "members": "3", "active": "y"}
    assert client.post("/clubview/add", data=data).status_code == 400
    assert client.post("/clubview/add", data={**data, "csrf_token": "forged"}).status_code == 400
    assert snapshot(owner_engine) == before


def test_get_never_deletes_nor_runs_an_action(strict_app, owner_engine):
    client = _strict_login(strict_app, "zal.director")
    with owner_engine.connect() as conn:
        club = conn.scalar(text("SELECT c.id FROM club c JOIN tenant t ON t.id = c.tenant_id "
                                "WHERE t.name = 'Залегощенский район' ORDER BY c.id"))
    before = snapshot(owner_engine)
    for url in (f"/clubview/delete/{club}", f"/clubview/action/muldelete/{club}"):
        response = client.get(url)
        assert response.status_code == 302, url
    assert snapshot(owner_engine) == before


def test_the_api_takes_a_bearer_token_without_a_csrf_token(strict_app):
    client = strict_app.test_client()
    token = api_login(client, "zal.director", PASSWORD).get_json()["access_token"]
    response = client.get("/api/v1/library/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
