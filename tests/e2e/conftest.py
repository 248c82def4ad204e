"""Browser tests: Debian's Chromium, driven by Playwright, against the app as it is served.

One gunicorn server on 127.0.0.1 (a free port) for the whole run, over a fresh demo
database built in a temporary folder the way `make demo` builds it. Each test gets its
own browser context (own cookies), so each scenario signs in like a person would.

Screenshots go to tests/screenshots/<scenario>/: the scenario's main screens in Russian
and in Bulgarian, and the page as it was when a step failed (FAILED-*.png).

Without Chromium (or the playwright package) the tests are skipped, saying why; with
CI=true they fail instead: CI must run them (.ci/run installs Chromium).
"""
from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Generous: other work may be loading this machine at the same time.
NAVIGATION_TIMEOUT_MS = 15_000
ACTION_TIMEOUT_MS = 10_000
SERVER_START_S = 60
LANGUAGES = ("ru", "bg")

PAGES = pytest.StashKey[list]()
SCENARIO = pytest.StashKey[str]()


def _unavailable() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return (f"no Chromium at {CHROMIUM}: `make e2e` installs it (apt-get install -y chromium), "
                "or set CHROMIUM to another Chromium binary")
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed: pip install -e '.[test]'"
    return None


# -- the server -------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    database: Path

    def scalar(self, sql: str, *params):
        """One value from the demo database, read-only (what a test needs to know, such as
        the address of a record a user should not reach)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as conn:
            row = conn.execute(sql, params).fetchone()
        assert row is not None, f"nothing found: {sql} {params}"
        return row[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {SERVER_START_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app served by gunicorn on 127.0.0.1, over a freshly built demo database."""
    reason = _unavailable()
    if reason:  # no server either: there is nothing to drive it with
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("e2e")
    database = work / "libnet.db"
    url = f"sqlite:///{database}"
    env = {key: value for key, value in os.environ.items()
           if key not in ("TEST_DATABASE_URL", "FLASK_APP", "FLASK_DEBUG")}
    env.update(
        PYTHONPATH=str(ROOT), DATABASE_URL=url, MIGRATION_DATABASE_URL=url,
        DEMO_PASSWORD=PASSWORD, SECRET_KEY=secrets.token_hex(32), INSTANCE_DIR=str(work),
        RATELIMIT_STORAGE_URI="memory://", TRUSTED_PROXIES="0", SESSION_COOKIE_SECURE="0",
        # The production login limit stays in force: only failed logins count against it
        # (app/security/limits.py, tests/test_security.py) and every login here succeeds.
        LOGIN_RATE_LIMIT="10 per minute",
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo", "load"]):  # as `make demo` does
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"

    port = _free_port()
    log = work / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "--access-logfile", "-",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield Server(base, database)
    finally:  # exactly the process started here
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the browser ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserTrouble:
    """What the browser complained about: script errors, CSP refusals, failed loads."""
    url: str
    text: str


@dataclass
class Web:
    """A scenario's browser: its pages, sign-in, menus, select2 fields and screenshots."""
    server: Server
    browser: object
    folder: Path
    pages: list = field(default_factory=list)
    troubles: list = field(default_factory=list)
    contexts: list = field(default_factory=list)

    # pages

    def page(self, locale: str = "ru-RU"):
        """A new browser window of its own (own cookies), asking for pages in `locale`."""
        context = self.browser.new_context(
            base_url=self.server.url, locale=locale, viewport={"width": 1280, "height": 900},
            accept_downloads=True)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.troubles.append(
            BrowserTrouble(page.url, message.text)))
        page.on("pageerror", lambda error: self.troubles.append(BrowserTrouble(page.url, f"script error: {error}")))
        self.pages.append(page)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def expect_no_troubles(self) -> None:
        """No script error, no refused script or style (CSP), no failed load so far."""
        troubles = [f"{t.url}: {t.text}" for t in self.troubles]
        assert not troubles, "the browser reported:\n" + "\n".join(troubles)

    def forget_troubles(self) -> None:
        """After a step that is meant to load a missing page (its 404 is logged by the browser)."""
        self.troubles.clear()

    # signing in and out

    def login(self, page, username: str, password: str = PASSWORD) -> None:
        page.goto("/login/")
        page.fill("#username", username)
        page.fill("#password", password)
        page.locator("form[name=login] [type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)

    def logout(self, page, label: str) -> None:
        """Through the user menu (the person icon), then its `label` item."""
        page.locator(".navbar-right a.dropdown-toggle:has(.fa-user)").click()
        page.locator(".dropdown-menu:visible a", has_text=label).click()
        page.wait_for_url(re.compile(r"/login/"))

    # menus and forms

    def menu(self, page, category: str, item: str) -> None:
        """A screen from the top menu: its category, then the item."""
        page.locator(".navbar-nav a.dropdown-toggle", has_text=category).click()
        page.locator(".dropdown-menu:visible a", has_text=item).first.click()
        page.wait_for_load_state()

    def open_select(self, page, field_id: str):
        """Open a select2 field; returns its list of options (as the user sees them)."""
        page.locator(f"#{field_id} + .select2 .select2-selection").click()
        return page.locator(".select2-container--open .select2-results__option")

    def choose(self, page, field_id: str, text: str, *, search: str | None = None) -> None:
        """Pick `text` in a select2 field, typing `search` first (the server is asked as one types)."""
        options = self.open_select(page, field_id)
        if search:
            page.keyboard.type(search)  # the search box has the focus (app/static/js/ajax_select.js)
        options.filter(has_text=re.compile(rf"^{re.escape(text)}$")).click()

    def row(self, page, text: str):
        """The row of the list on the page that shows `text`."""
        return page.locator("table tbody tr", has_text=text)

    # screenshots

    def shot(self, page, name: str) -> None:
        """The page as it is now (its flash messages too)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=self.folder / f"{name}.png", full_page=True)

    def shots(self, page, name: str, *, via: str | None = None) -> None:
        """The current screen once in Russian and once in Bulgarian (?_l_=, for that request
        only: the account's own language choice stays as it is), then back to it.

        FAB remembers the last pages visited, to return to after a save: on a form, pass
        `via`, the page the form was opened from, so that a save still returns there."""
        here = page.url
        for lang in LANGUAGES:
            page.goto(with_query(here, _l_=lang))
            self.shot(page, f"{name}-{lang}")
        if via:
            page.goto(via)
        page.goto(here)

    def pick_language(self, page, name: str) -> None:
        """From the language menu (the flag at the top right)."""
        page.locator(".navbar-right a.dropdown-toggle:has(.flag)").click()
        page.locator(".dropdown-menu:visible a", has_text=name).click()
        page.wait_for_load_state()


def with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def web(request, server, browser):
    name = re.sub(r"\[(.+)\]$", r"-\1", request.node.name.removeprefix("test_"))  # test_x[bg] -> x-bg
    folder = SHOTS / name
    shutil.rmtree(folder, ignore_errors=True)  # this run's screens only
    web = Web(server, browser, folder)
    request.node.stash[PAGES] = web.pages
    request.node.stash[SCENARIO] = name
    yield web
    web.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing step leaves a screenshot of every open page of the scenario."""
    report = yield
    if report.failed and report.when in ("call", "setup"):
        folder = SHOTS / item.stash.get(SCENARIO, item.name)
        for number, page in enumerate(item.stash.get(PAGES, []), 1):
            try:
                if not page.is_closed():
                    folder.mkdir(parents=True, exist_ok=True)
                    path = folder / f"FAILED-{report.when}-page{number}.png"
                    page.screenshot(path=path, full_page=True, timeout=ACTION_TIMEOUT_MS)
                    report.sections.append(("screenshot", f"{path.relative_to(ROOT)} ({page.url})"))
            except Exception as error:  # the report must not fail for want of a picture
                report.sections.append(("screenshot", f"none taken: {error}"))
    return report
