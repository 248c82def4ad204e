"""The methodologist's reports: the dashboard and its figures, the exports of the
record lists, the district passport; each in the user's scope and language."""
import csv
import datetime
import io
import re

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import event, text

from app.choices import Education
from app.extensions import db

from .conftest import PASSWORD, login
from .test_i18n import ENGLISH_RE, visible_text

MISSING = 10**7
ZAL = "Залегощенский район"


def _tenant_id(engine, name):
    with engine.connect() as conn:
        return conn.scalar(text("SELECT id FROM tenant WHERE name = :n"), {"n": name})


def _workbook(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.get_data()))


def _table(sheet):
    """{row label: {heading: value}} of a dashboard sheet (title, section, headings, rows)."""
    rows = list(sheet.iter_rows(values_only=True))
    headings = rows[2]
    return {row[0]: dict(zip(headings[1:], row[1:])) for row in rows[3:]}


def _dashboard(client, path="/dashboard/xlsx"):
    """The dashboard's workbook: {sheet title: table}, in Russian."""
    book = _workbook(client.get(path + "?_l_=ru"))
    return {sheet.title: _table(sheet) for sheet in book.worksheets}


# -- the dashboard ---------------------------------------------------------------

def test_the_index_after_login_is_the_dashboard(app):
    client = app.test_client()
    response = client.post("/login/", data={"username": "zal.methodologist", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Сводка" in page and ZAL in page
    assert app.test_client().get("/").status_code == 302  # a visitor signs in first


def _seed_figures(engine):
    """Залегощенский район as the database holds it: on the demo network, as the seeds put
    it, 12 libraries, 18 staff, 50% with higher education, 15 clubs (other tests may
    have added rows since)."""
    def count(sql):
        with engine.connect() as conn:
            return conn.scalar(text(sql + " AND t.name = :t"), {"t": ZAL})
    join = "FROM {} x JOIN tenant t ON t.id = x.tenant_id WHERE "
    staff = count("SELECT count(*) " + join.format("staff") + "x.active = true")
    higher = count("SELECT count(*) " + join.format("staff") + "x.active = true "
                   "AND x.education IN ('higher_library', 'higher_other')")
    return {"libraries": count("SELECT count(*) " + join.format("library") + "x.status = 'active'"),
            "staff": staff, "percent": round(100 * higher / staff), "higher": higher,
            "clubs": count("SELECT count(*) " + join.format("club") + "x.active = true")}


def test_a_district_dashboard_shows_the_districts_own_figures(as_user, owner_engine):
    seeds = _seed_figures(owner_engine)
    assert (seeds["libraries"], seeds["staff"], seeds["percent"]) == (12, 18, 50)
    client = as_user("zal.methodologist")
    tables = _dashboard(client)
    total = {title: table["Итого"] for title, table in tables.items()}
    assert total["Библиотеки"]["Действующие библиотеки"] == seeds["libraries"]
    assert total["Библиотеки"]["По видам: Библиотека-филиал"] == 10
    staff = total["Сотрудники"]
    assert staff["Численность"] == seeds["staff"]
    assert staff["Высшее образование: %"] == pytest.approx(0.5)
    assert staff["Высшее образование: Человек"] == seeds["higher"]
    assert staff["Библиотечное образование: Человек"] == 10
    assert sum(staff[f"Возраст: {band}"] for band in ("до 30 лет", "от 30 до 55 лет", "55 лет и старше")) == 18
    assert all(staff[k] for k in staff if k.startswith("Стаж работы"))  # every band is populated
    assert total["Клубы по интересам"]["Клубы по интересам"] == seeds["clubs"]  # 15 on the demo network
    assert len(tables["Библиотеки"]) == 13  # a row per library, and the total

    page = visible_text(client.get("/").get_data(as_text=True))
    assert re.search(r"Итого\s+12\b", page) and "50%" in page
    assert "Межпоселенческая районная библиотека" in page


def _sums_match(table):
    """Each count of the total row is the sum of the rows above it."""
    rows = [row for label, row in table.items() if label != "Итого"]
    for heading, value in table["Итого"].items():
        if not heading.endswith("%"):
            assert value == sum(row[heading] or 0 for row in rows), heading


def test_a_region_dashboard_sums_its_districts(as_user, owner_engine):
    orel = _dashboard(as_user("orel.director"))
    zal = _dashboard(as_user("zal.director"))
    for title in orel:
        assert list(orel[title]) == [ZAL, "Итого"]
        assert orel[title]["Итого"] == zal[title]["Итого"]
    stara_zagora = _dashboard(as_user("sz.director"))
    libraries = stara_zagora["Библиотеки"]
    assert {"Мъглиж", "Павел баня", "Опан", "Чирпан"} <= set(libraries)
    assert "Област Стара Загора, областной уровень" in libraries  # its regional library
    for table in stara_zagora.values():
        _sums_match(table)
    with owner_engine.connect() as conn:
        active = conn.scalar(text("SELECT count(*) FROM library l JOIN tenant t ON t.id = l.tenant_id "
                                  "WHERE l.status = 'active' AND (t.code = 'SZR' OR t.code LIKE 'SZR-%')"))
    assert libraries["Итого"]["Действующие библиотеки"] == active


def test_a_region_row_opens_the_districts_dashboard(as_user, owner_engine):
    client = as_user("orel.methodologist")
    zal = _tenant_id(owner_engine, ZAL)
    assert f'href="/dashboard/{zal}"' in client.get("/").get_data(as_text=True)
    page = client.get(f"/dashboard/{zal}").get_data(as_text=True)
    assert "Межпоселенческая районная библиотека" in page and f"/passport/{zal}" in page


def test_admin_sees_regions_then_districts(as_user, owner_engine):
    client = as_user("admin")
    network = _dashboard(client)
    assert {"Орловская область", "Иркутская область", "Област Стара Загора"} <= set(network["Библиотеки"])
    for table in network.values():
        _sums_match(table)
    orel = _tenant_id(owner_engine, "Орловская область")
    assert list(_dashboard(client, f"/dashboard/{orel}/xlsx")["Библиотеки"]) == [ZAL, "Итого"]


def test_every_role_sees_the_dashboard_viewers_and_branch_staff_included(as_user):
    viewer = _dashboard(as_user("zal.viewer"))
    assert viewer["Сотрудники"]["Итого"]["Численность"] == 18  # counts, not the staff screens
    # Branch staff read only their own library's staff (app.tenancy): so do their counts.
    branch = as_user("zal.branch")
    staff = _dashboard(branch)["Сотрудники"]
    assert staff["Итого"]["Численность"] == staff["Бортновская сельская библиотека"]["Численность"] == 1
    assert "только сотрудников вашей библиотеки" in branch.get("/").get_data(as_text=True)


def _statements(app, client, path):
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_number_of_queries_does_not_grow_with_the_districts(app, owner_engine):
    """Орловская область has one district, Стара Загора four and a regional library;
    Залегощенский район twelve libraries, Мъглиж three: the same statements answer each pair."""
    orel, stara_zagora = login(app, "orel.director"), login(app, "sz.director")
    assert _statements(app, orel, "/") == _statements(app, stara_zagora, "/")
    admin = login(app, "admin")
    pages = {name: f"/dashboard/{_tenant_id(owner_engine, name)}"
             for name in ("Орловская область", "Област Стара Загора", ZAL, "Мъглиж")}
    counts = {name: _statements(app, admin, path) for name, path in pages.items()}
    assert counts["Орловская область"] == counts["Област Стара Загора"], counts
    assert counts[ZAL] == counts["Мъглиж"], counts


@pytest.mark.parametrize("username, foreign", [
    ("zal.director", "Мъглиж"), ("zal.viewer", "Орловская область"),  # its own region too
    ("maglizh.branch", "Павел баня"), ("sz.methodologist", ZAL), ("orel.director", "Чирпан"),
])
def test_a_foreign_dashboard_or_passport_answers_like_a_missing_one(as_user, owner_engine, username, foreign):
    client = as_user(username)
    pk = _tenant_id(owner_engine, foreign)
    for path in ("/dashboard/{}", "/dashboard/{}/xlsx", "/passport/{}"):
        missing, found = _page(client.get(path.format(MISSING))), _page(client.get(path.format(pk)))
        assert found == missing and missing[0] == 404, path


def _page(response):
    return response.status_code, re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True))


def test_charts_are_inline_svg_labelled_in_the_users_language(as_user):
    page = as_user("maglizh.director").get("/").get_data(as_text=True)
    assert page.count("<svg") >= 3 and "<script src=\"http" not in page
    assert "Персонал по възраст" in page or "Служители по възраст" in page


@pytest.mark.parametrize("lang, username", [("ru", "zal.director"), ("bg", "maglizh.director"),
                                            ("ru", "orel.director"), ("bg", "sz.director")])
def test_the_dashboard_shows_no_english(as_user, lang, username):
    page = as_user(username).get(f"/?_l_={lang}").get_data(as_text=True)
    found = sorted(set(ENGLISH_RE.findall(visible_text(page))))
    assert not found, found


# -- the passport ----------------------------------------------------------------

@pytest.mark.parametrize("lang, words", [
    ("ru", ["насчитывает {libraries} библиотек", "10 библиотек-филиалов", "работают {staff} сотрудник",
            "{percent}% из них с высшим образованием", "работают {clubs} клуб"]),
    ("bg", ["наброява {libraries} библиотеки", "работят {staff} служители", "{percent}% от тях",
            "работят {clubs} клуба по интереси"]),
])
def test_the_passport_describes_the_district_in_the_users_language(as_user, owner_engine, lang, words):
    """Like the seeds: «насчитывает 12 библиотек ... 18 ... 50% ... 15 клубов»."""
    zal, seeds = _tenant_id(owner_engine, ZAL), _seed_figures(owner_engine)
    response = as_user("zal.director").get(f"/passport/{zal}?_l_={lang}")
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", visible_text(response.get_data(as_text=True)))
    for phrase in words:
        assert phrase.format(**seeds) in page, phrase.format(**seeds)
    for item in ("303560, Орловская обл., пгт Залегощь, ул. Ленина, д. 9",  # addresses and hours
                 "пн–пт 9:00–18:00", "Неугасимая лампада", "Передвижка в Залегощенской ЦРБ",
                 "Каникулы в библиотеке", "Книжкина поляна"):  # the latest year's contests: 2020
        assert item in page, item
    assert "2020" in page
    found = sorted(set(ENGLISH_RE.findall(page)))
    assert not found, found


def test_the_passport_prints_on_a4(app, as_user, owner_engine):
    page = as_user("sz.director").get(f"/passport/{_tenant_id(owner_engine, 'Мъглиж')}").get_data(as_text=True)
    assert "Библиотека при НЧ „Светлина 1899“" in page and "6180 Мъглиж" in page
    stylesheet = re.search(r'href="(/static/reports/[^"]+\.css)"', page)[1]
    css = app.test_client().get(stylesheet).get_data(as_text=True)
    assert "size: A4" in css and "@media print" in css


def test_a_region_has_no_passport(as_user, owner_engine):
    assert as_user("orel.director").get(f"/passport/{_tenant_id(owner_engine, 'Орловская область')}") \
        .status_code == 404


# -- exports of the record lists -----------------------------------------------

def _csv(response):
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _names(engine, sql, **params):
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text(sql), params))


CLUBS_OF = ("SELECT c.name FROM club c JOIN tenant t ON t.id = c.tenant_id WHERE t.name = :t")


def test_a_district_users_export_holds_its_rows_and_no_other(as_user, owner_engine):
    client = as_user("zal.director")
    rows = _csv(client.get("/clubview/export/csv"))
    assert rows[0][:3] == ["Название", "Библиотека", "Аудитория"]
    assert sorted(r[0] for r in rows[1:]) == _names(owner_engine, CLUBS_OF, t=ZAL)
    book = _workbook(client.get("/clubview/export/xlsx"))
    values = list(book.active.iter_rows(values_only=True))
    assert sorted(r[0] for r in values[1:]) == _names(owner_engine, CLUBS_OF, t=ZAL)
    others = _names(owner_engine, "SELECT name FROM library WHERE tenant_id <> :z",
                    z=_tenant_id(owner_engine, ZAL))
    assert not {r[1] for r in values[1:]} & set(others)


def test_an_export_follows_the_lists_filters_and_order(as_user):
    client = as_user("zal.director")
    query = "_flt_0_name=Чит&_oc_ClubView=members&_od_ClubView=desc"
    rows = _csv(client.get(f"/clubview/export/csv?{query}"))[1:]
    assert [r[0] for r in rows] == ["Читаем всей семьёй", "Читающая семья"]  # 11 and 7 members
    page = client.get(f"/clubview/list/?{query}").get_data(as_text=True)
    assert f"/clubview/export/xlsx?{query}".replace("&", "&amp;") in page


def test_an_export_fits_its_columns_to_their_content_and_says_one_charset(as_user):
    client = as_user("zal.director")
    response = client.get("/staffview/export/csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    sheet = _workbook(client.get("/staffview/export/xlsx")).active
    rows = list(sheet.iter_rows(values_only=True))
    names = max(len(r[0]) for r in rows)  # full names: the widest column of the staff list
    assert sheet.column_dimensions["A"].width == min(60, names + 2)
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGH"[:len(rows[0])]]
    assert len(set(widths)) > 2  # each column its own width, not one for all
    rates = [c for c in sheet["E"][1:] if isinstance(c.value, float)]
    assert rates and all(c.number_format == "0.00" for c in rates)


def test_an_export_holds_every_page_translated_with_dates_and_numbers(app, as_user, owner_engine):
    client = as_user("admin")
    with owner_engine.connect() as conn:
        staff = conn.scalar(text("SELECT count(*) FROM staff"))
    assert staff > 25  # more than a page of the list
    values = list(_workbook(client.get("/staffview/export/xlsx?_l_=bg")).active.iter_rows(values_only=True))
    assert values[0][:4] == ("Име и фамилия", "Длъжност", "Библиотека", "Образование")
    assert len(values) == staff + 1
    with app.test_request_context(), force_locale("bg"):
        labels = {str(choice) for choice in Education}
    assert {r[3] for r in values[1:]} <= labels and "Средно специално, друго" in labels
    assert {r[5] for r in values[1:]} == {"Да"}
    assert any(isinstance(r[4], float) and r[4] < 1 for r in values[1:])  # 0.5, 0.75 as numbers
    contests = list(_workbook(client.get("/contestview/export/xlsx")).active.iter_rows(values_only=True))
    assert isinstance(contests[1][4], datetime.datetime)  # starts_on: a date cell, not text
    rows = _csv(client.get("/staffview/export/csv?_l_=ru"))
    assert any(re.fullmatch(r"0,\d+", r[4]) for r in rows[1:])  # the decimal comma Excel expects here
    english = client.get("/contestview/export/csv?_l_=en").get_data(as_text=True)
    assert english.splitlines()[0].startswith("\ufeffTitle,Level,Year")  # "," where "." is decimal


def test_a_streamed_export_gives_its_connection_back(app, as_user):
    client = as_user("zal.director")
    with app.app_context():
        pool = db.engine.pool
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/clubview/export/{fmt}").get_data()
        assert pool.checkedout() == 0, fmt
    client.get("/clubview/export/xlsx").close()  # a download given up before its end
    assert pool.checkedout() == 0


def test_export_needs_the_lists_permission(as_user):
    viewer = as_user("zal.viewer")
    assert viewer.get("/staffview/export/csv").status_code in (302, 403)
    assert viewer.get("/clubview/export/csv").status_code == 200
    assert viewer.get("/clubview/export/pdf").status_code == 404


def test_text_that_looks_like_a_formula_stays_text(app):
    from app.reports.files import Sheet, csv_chunks, xlsx_chunks

    rows = [["=HYPERLINK(\"http://x\")", "+7 (48648) 2-12-47", datetime.date(2026, 1, 2)]]
    book = load_workbook(io.BytesIO(b"".join(xlsx_chunks([Sheet("x", rows)], "ru"))))
    cell = book.active["A1"]
    assert cell.data_type == "s" and cell.value.startswith("=")
    assert book.active["C1"].number_format == "DD.MM.YYYY"
    line = b"".join(csv_chunks(rows, "ru")).decode("utf-8-sig").strip()
    assert line == '"\'=HYPERLINK(""http://x"")";\'+7 (48648) 2-12-47;2026-01-02'


def test_a_page_of_many_rows_shows_one_section_at_a_time_and_draws_the_largest(as_user, monkeypatch):
    """The network's 85 regions: one section's table at a time, chosen above it, and the
    comparison charts draw the largest rows (the demo's three regions stand in for them)."""
    from app.reports import layout, views

    monkeypatch.setattr(views, "ONE_SECTION_FROM", 2)
    monkeypatch.setattr(layout, "MOST_BARS", 2)
    client = as_user("admin")
    page = client.get("/?_l_=ru").get_data(as_text=True)
    assert page.count('class="figures-section"') == 1 and "<h2>Библиотеки</h2>" in page
    assert re.search(r'<li class="active"><a href="/dashboard/\?section=libraries#figures" aria-current="page">'
                     r'Библиотеки</a>', page)
    regions = len(re.findall(r'<th scope="row"><a href="/dashboard/\d+">', page))  # the demo's, and any a test added
    assert regions >= 3 and f"Действующие библиотеки: 2 крупнейших из {regions}" in page
    staff = client.get("/dashboard/?section=staff&_l_=bg").get_data(as_text=True)
    assert staff.count('class="figures-section"') == 1 and "<h2>Служители</h2>" in staff
    assert f"Служители: 2 най-големи от {regions}" in staff
    # An unknown section is the first one; the workbook keeps them all.
    assert "<h2>Библиотеки</h2>" in client.get("/dashboard/?section=nonsense&_l_=ru").get_data(as_text=True)
    assert len(_workbook(client.get("/dashboard/xlsx")).sheetnames) >= 5


def test_the_networks_figures_follow_every_write_at_once(as_user, owner_engine):
    """They are kept between requests (a national page scans every table): a write made
    since, by anyone, is on the next page."""
    admin = as_user("admin")
    clubs = _dashboard(admin)["Клубы по интересам"]["Орловская область"]["Клубы по интересам"]
    with owner_engine.connect() as conn:
        library = conn.scalar(text("SELECT id FROM library WHERE name = 'Бортновская сельская библиотека'"))
    director = as_user("zal.director")
    added = director.post("/api/v1/club/", json={"name": "Клуб для проверки сводки", "library": library,
                                                  "audience": "youth", "members": 3, "active": True})
    assert added.status_code == 201, added.get_json()
    assert _dashboard(admin)["Клубы по интересам"]["Орловская область"]["Клубы по интересам"] == clubs + 1
    assert director.delete(f"/api/v1/club/{added.get_json()['id']}").status_code == 200
    assert _dashboard(admin)["Клубы по интересам"]["Орловская область"]["Клубы по интересам"] == clubs
