"""Russian and Bulgarian: the language each user gets, screens with no English left,
complete catalogs, dates and plurals in the locale."""
import datetime
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from app.i18n import count_label, format_day

from .conftest import PASSWORD, login, record_apis

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
CHECK = [sys.executable, str(TRANSLATIONS / "check.py")]


def _compile_catalogs():
    # The .mo files are built, not kept (`make test` builds them too); at collection,
    # before any test has loaded a catalog.
    for directory in (TRANSLATIONS, TRANSLATIONS / "framework"):
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "compile",
                        "-d", str(directory)], check=True)


_compile_catalogs()

RECORDS = record_apis()
# Interface words of FAB and of the app that a Russian or Bulgarian screen must not show.
ENGLISH = [
    "Add", "Edit", "Delete", "Show", "List", "Search", "Actions", "Record Count", "Save", "Back",
    "Add Filter", "Equal to", "Not Equal to", "Starts with", "Ends with", "Contains", "Relation",
    "Cancel", "OK", "Profile", "Logout", "Yes", "No", "True", "False", "None",
    "User confirmation needed", "This field is required", "Network", "Libraries", "Staff",
    "Clubs", "Outreach", "Contests", "Contest entries", "Regions and districts", "Name", "Kind",
    "Library", "Organisation", "Region", "District", "Settlement", "Status", "Active", "Closed",
    "Position", "Education", "Audience", "Members", "Location", "Title", "Level", "Year",
    "Contest", "Nomination", "Result", "Code", "Default language", "Russian", "Bulgarian",
]
ENGLISH_RE = re.compile(r"\b(%s)\b" % "|".join(map(re.escape, ENGLISH)))


def visible_text(page: str) -> str:
    """What a reader sees: no tags, attribute values, scripts or styles; plus the filter
    names the list screen's script shows."""
    shown = re.sub(r"(?is)<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", " ", page)
    return html.unescape(shown) + " " + " ".join(_filter_names(page))


def _filter_names(page: str) -> list[str]:
    start = page.find("'#filter_form',")
    if start < 0:
        return []
    decoder, pos, values = json.JSONDecoder(), start + len("'#filter_form',"), []
    for _ in range(3):  # columns, their inputs, their filters
        while page[pos] in " \t\r\n,":
            pos += 1
        value, pos = decoder.raw_decode(page, pos)
        values.append(value)
    labels, _, filters = values
    return [*labels.values(), *(name for names in filters.values() for name in names)]


def first_id(client, resource):
    return client.get(f"/api/v1/{resource}/?q=(page_size:1)").get_json()["result"][0]["id"]


@pytest.fixture
def forget_choice(owner_engine):
    """Clears the language the tests pick for these accounts, so that others start clean."""
    names = []
    yield names.append
    with owner_engine.begin() as conn:
        for name in names:
            conn.execute(text("UPDATE ab_user SET locale = NULL WHERE username = :u"), {"u": name})


# -- which language ------------------------------------------------------------

@pytest.mark.parametrize("username", ["maglizh.director", "maglizh.branch"])
def test_a_bulgarian_municipality_works_in_bulgarian(app, username):
    page = login(app, username).get("/clubview/list/", headers={"Accept-Language": "ru"})
    text_ = visible_text(page.get_data(as_text=True))
    assert "Търсене" in text_ and "Клубове по интереси" in text_
    assert "Поиск" not in text_


def test_a_russian_district_works_in_russian_whatever_the_browser(app):
    page = login(app, "zal.director").get("/clubview/list/", headers={"Accept-Language": "bg, en"})
    assert "Поиск" in visible_text(page.get_data(as_text=True))


@pytest.mark.parametrize("browser, expected", [
    ("bg,en;q=0.5", "Въведете потребителско име и парола"),
    ("en-US,en;q=0.9", "Enter your login and password below"),
    ("de", "Введите имя пользователя и пароль"),  # none of ours: Russian
    (None, "Введите имя пользователя и пароль"),
])
def test_the_login_page_follows_the_browser(app, browser, expected):
    headers = {"Accept-Language": browser} if browser else {}
    page = app.test_client().get("/login/", headers=headers)
    assert expected in visible_text(page.get_data(as_text=True))


def test_a_visitor_picks_the_login_page_language(app):
    client = app.test_client()
    assert client.get("/lang/bg").status_code == 302
    page = client.get("/login/", headers={"Accept-Language": "ru"})
    assert "Въведете потребителско име и парола" in visible_text(page.get_data(as_text=True))


def test_a_users_choice_survives_logout_and_login(app, forget_choice):
    forget_choice("maglizh.director")
    client = login(app, "maglizh.director")
    assert client.get("/lang/en").status_code == 302
    assert "Search" in visible_text(client.get("/clubview/list/").get_data(as_text=True))

    client.get("/logout/")
    client.post("/login/", data={"username": "maglizh.director", "password": PASSWORD})
    page = visible_text(client.get("/clubview/list/").get_data(as_text=True))
    assert "Search" in page and "Търсене" not in page
    # ?_l_= wins for one request, and changes nothing
    assert "Поиск" in visible_text(client.get("/clubview/list/?_l_=ru").get_data(as_text=True))
    assert "Search" in visible_text(client.get("/clubview/list/").get_data(as_text=True))

    client.get("/lang/bg")
    client.get("/logout/")
    fresh = login(app, "maglizh.director")  # another browser
    assert "Търсене" in visible_text(fresh.get("/clubview/list/").get_data(as_text=True))


def test_an_unknown_language_is_refused(app):
    assert login(app, "zal.director").get("/lang/xx").status_code == 404


# -- no English left on the screens -------------------------------------------

@pytest.mark.parametrize("lang, username", [("bg", "maglizh.director"), ("ru", "zal.director")])
@pytest.mark.parametrize("resource", RECORDS)
def test_record_screens_show_no_english(app, lang, username, resource):
    client = login(app, username)
    admin = login(app, "admin")  # no tenant: follows the browser
    pk = first_id(client, resource)
    view = resource.replace("_", "")
    for path in ("list/", f"show/{pk}", "add", f"edit/{pk}"):
        response = client.get(f"/{view}view/{path}", headers={"Accept-Language": lang})
        if response.status_code in (302, 403):  # not the Director's to change: Admin's screen
            # (or the card it leads to, where the record's status closes it: a submitted report)
            response = admin.get(f"/{view}view/{path}", headers={"Accept-Language": lang}, follow_redirects=True)
        assert response.status_code == 200, path
        found = sorted(set(ENGLISH_RE.findall(visible_text(response.get_data(as_text=True)))))
        assert not found, f"{view}view/{path} in {lang}: {found}"


@pytest.mark.parametrize("username, message", [
    ("maglizh.director", "Това поле е задължително"),
    ("zal.director", "Обязательное поле"),  # WTForms' own catalogs
])
def test_form_errors_speak_the_users_language(app, username, message):
    client = login(app, username)
    response = client.post("/clubview/add", data={"name": "", "members": "1"})
    page = visible_text(response.get_data(as_text=True))
    assert message in page
    assert not ENGLISH_RE.search(page)


def test_dates_on_a_list_follow_the_locale(app):
    page = login(app, "maglizh.director").get("/contestview/list/").get_data(as_text=True)
    assert re.search(r"\b\d\d\.\d\d\.\d{4}\b", visible_text(page))


# -- formats and plurals -------------------------------------------------------

@pytest.mark.parametrize("lang, expected", [
    ("ru", "22.11.2026"), ("bg", "22.11.2026"), ("en", "Nov 22, 2026"),
])
def test_a_date_in_each_locale(app, lang, expected):
    with app.test_request_context(), force_locale(lang):
        assert format_day(datetime.date(2026, 11, 22)) == expected


@pytest.mark.parametrize("lang, counts", [
    ("ru", {1: "1 клуб", 2: "2 клуба", 5: "5 клубов", 15: "15 клубов", 21: "21 клуб", 22: "22 клуба"}),
    ("bg", {1: "1 клуб", 3: "3 клуба", 15: "15 клуба"}),
    ("en", {1: "1 club", 3: "3 clubs"}),
])
def test_counts_take_the_plural_form_of_their_number(app, lang, counts):
    with app.test_request_context(), force_locale(lang):
        assert {n: count_label(n, "club") for n in counts} == counts
        assert count_label(3, "staff") == {"ru": "3 сотрудника", "bg": "3 служители",
                                           "en": "3 staff members"}[lang]


# -- the catalogs --------------------------------------------------------------

def test_the_catalogs_are_complete_and_current():
    result = subprocess.run(CHECK, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _catalog_copy(tmp_path) -> Path:
    shutil.copy(TRANSLATIONS / "messages.pot", tmp_path)
    po = tmp_path / "ru" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po", po)
    return po


@pytest.mark.parametrize("change, complaint", [
    (lambda t: t.replace('\nmsgid "Libraries"', '\n#, fuzzy\nmsgid "Libraries"', 1), "fuzzy"),
    (lambda t: t.replace('msgstr "Библиотеки"', 'msgstr ""', 1), "untranslated"),
    (lambda t: t.replace("до %(high)d.", "до %(top)d.", 1), "placeholders"),
    (lambda t: t.replace("nplurals=3", "nplurals=2", 1), "Plural-Forms"),
])
def test_the_check_names_file_and_line_of_a_bad_entry(tmp_path, change, complaint):
    po = _catalog_copy(tmp_path)
    po.write_text(change(po.read_text(encoding="utf-8")), encoding="utf-8")
    result = subprocess.run([*CHECK, str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert re.search(rf"{re.escape(str(po))}:\d+: .*{complaint}", result.stdout), result.stdout


def test_a_clean_copy_passes_the_check(tmp_path):
    _catalog_copy(tmp_path)
    assert subprocess.run([*CHECK, str(tmp_path)], capture_output=True).returncode == 0



def test_the_check_finds_a_template_behind_the_code(tmp_path):
    spec = importlib.util.spec_from_file_location("check", TRANSLATIONS / "check.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    pot = tmp_path / "messages.pot"
    pot.write_text((TRANSLATIONS / "messages.pot").read_text(encoding="utf-8")
                   .replace('msgid "Libraries"', 'msgid "Old libraries"', 1), encoding="utf-8")
    problems = "\n".join(check.check_sources(TRANSLATIONS, pot))
    assert re.search(r"app/\S+\.py:\d+: not in .*'Libraries'", problems), problems
    assert re.search(rf"{re.escape(str(pot))}:\d+: no longer in the code.*'Old libraries'", problems)


@pytest.mark.parametrize("lang, username", [("bg", "maglizh.director"), ("ru", "zal.director")])
def test_account_screens_index_and_error_pages_show_no_english(app, lang, username):
    client = login(app, username)
    pk = re.search(r"/accountview/show/(\d+)", client.get("/accountview/list/").get_data(as_text=True))[1]
    for path in ("/accountview/list/", f"/accountview/show/{pk}", "/accountview/add",
                 f"/accountview/edit/{pk}", "/", "/no-such-page", "/clubview/show/987654321"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        found = sorted(set(ENGLISH_RE.findall(visible_text(response.get_data(as_text=True)))))
        assert not found, f"{path} in {lang}: {found}"
    assert client.get("/no-such-page").status_code == 404
