"""Methodological work as a region and its districts keep it: the region's methodologist
records a field visit to two libraries of a district; that district reads it and cannot
change it, another district does not see it at all, on the ORM layer and on row-level
security alone."""
import pytest
from sqlalchemy import text

from .conftest import POSTGRES, login, make_app, put_current, snapshot

MISSING = 10**7


def _id(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _library(engine, name):
    return _id(engine, "SELECT id FROM library WHERE name = :n", n=name)


@pytest.fixture(scope="module", params=[True, False] if POSTGRES else [True],
                ids=["orm+rls" if POSTGRES else "orm", "rls-alone"][: 2 if POSTGRES else 1])
def work_app(request, urls):
    return make_app(urls, TENANCY_ORM_LAYER=request.param)


@pytest.fixture
def region_visit(work_app, owner_engine):
    """Орловская область's visit to two libraries of Залегощенский район; removed afterwards."""
    region = login(work_app, "orel.methodologist")
    libraries = [_library(owner_engine, n) for n in ("Бортновская сельская библиотека",
                                                     "Грачевская сельская библиотека")]
    orel = _id(owner_engine, "SELECT id FROM tenant WHERE code = 'ORL'")
    response = region.post("/api/v1/method_activity/", json={
        "kind": "field_visit", "held_on": "2026-03-12", "topic": "Работа сельских библиотек с подростками",
        "tenant": orel, "libraries": libraries, "hours": 6, "channel": "in_person",
        "result": "Рекомендовано открыть клуб для подростков"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert sorted(lib["id"] for lib in body["result"]["libraries"]) == sorted(libraries)
    yield body["id"], libraries
    assert region.delete(f"/api/v1/method_activity/{body['id']}").status_code == 200


def test_the_district_visited_reads_the_regions_visit_and_no_other_district_does(work_app, owner_engine, region_visit):
    visit, libraries = region_visit
    for username in ("zal.director", "zal.methodologist", "zal.branch", "zal.viewer", "orel.director"):
        client = login(work_app, username)
        assert client.get(f"/api/v1/method_activity/{visit}").status_code == 200, username
        listed = client.get(f"/api/v1/method_activity/?libraries={libraries[0]}&page_size=100").get_json()
        assert visit in [row["id"] for row in listed["result"]], username
        page = client.get(f"/methodactivityview/show/{visit}?_l_=ru").get_data(as_text=True)
        assert "Работа сельских библиотек с подростками" in page and "Грачевская сельская библиотека" in page
    for username in ("kir.director", "maglizh.director", "sz.methodologist"):
        client = login(work_app, username)
        missing = client.get(f"/api/v1/method_activity/{MISSING}")
        foreign = client.get(f"/api/v1/method_activity/{visit}")
        assert (foreign.status_code, foreign.get_json()) == (missing.status_code, missing.get_json()), username
        listed = client.get("/api/v1/method_activity/?topic__contains=подростками").get_json()
        assert listed["count"] == 0, username
        page = client.get("/methodactivityview/list/?_flt_0_topic=подростками").get_data(as_text=True)
        assert "Работа сельских библиотек с подростками" not in page


def test_the_district_reads_the_regions_visit_but_cannot_change_it(work_app, owner_engine, region_visit):
    visit, _libraries = region_visit
    director = login(work_app, "zal.director")
    before = snapshot(owner_engine)
    # 403 from the write guard; with row-level security alone the database's policies leave
    # the rows untouched, which the service reads as a change made meanwhile (409) or as a
    # refused write (422).
    refused = (403,) if work_app.config["TENANCY_ORM_LAYER"] else (403, 409, 422)
    assert put_current(director, f"/api/v1/method_activity/{visit}", {"topic": "Иначе"}).status_code in refused
    assert director.delete(f"/api/v1/method_activity/{visit}").status_code in refused
    assert snapshot(owner_engine) == before


def test_the_library_card_lists_the_visits_it_had(work_app, owner_engine, region_visit):
    _visit, libraries = region_visit
    page = login(work_app, "zal.director").get(f"/libraryview/show/{libraries[1]}?_l_=ru").get_data(as_text=True)
    assert "Работа сельских библиотек с подростками" in page and "Методическая работа" in page


def test_an_activity_is_for_libraries_of_its_own_subtree_only(work_app, owner_engine):
    """A district records a consultation: another district's library is as unknown as a
    missing one, and nothing is saved."""
    director = login(work_app, "zal.director")
    zal = _id(owner_engine, "SELECT id FROM tenant WHERE code = 'ORL-ZAL'")
    kirensk = _library(owner_engine, "Городская библиотека-музей")
    before = snapshot(owner_engine)
    answers = []
    for library in (kirensk, MISSING):
        response = director.post("/api/v1/method_activity/?_l_=ru", json={
            "kind": "consultation", "held_on": "2026-02-02", "topic": "Консультация", "tenant": zal,
            "channel": "phone", "libraries": [library]})
        answers.append((response.status_code, response.get_json()))
    assert answers[0] == answers[1] and answers[0][0] == 422
    assert list(answers[0][1]["errors"]) == ["libraries.0"]  # the first library named
    assert snapshot(owner_engine) == before


def test_the_form_takes_several_libraries_and_refuses_a_foreign_one(work_app, owner_engine):
    director = login(work_app, "zal.director")
    zal = _id(owner_engine, "SELECT id FROM tenant WHERE code = 'ORL-ZAL'")
    own = [_library(owner_engine, n) for n in ("Моховская сельская библиотека", "Прилепская сельская библиотека")]
    kirensk = _library(owner_engine, "Городская библиотека-музей")
    form = {"kind": "monitoring", "held_on": "15.04.2026", "topic": "Мониторинг весной", "tenant": str(zal),
            "hours": "8"}
    before = snapshot(owner_engine)
    refused = director.post("/methodactivityview/add?_l_=ru", data={**form, "libraries": [str(own[0]), str(kirensk)]})
    assert refused.status_code == 200 and "Недопустимое значение" in refused.get_data(as_text=True)
    assert snapshot(owner_engine) == before
    saved = director.post("/methodactivityview/add", data={**form, "libraries": [str(n) for n in own]})
    assert saved.status_code == 302
    found = _id(owner_engine, "SELECT id FROM method_activity WHERE topic = 'Мониторинг весной'")
    with owner_engine.connect() as conn:
        linked = {r[0] for r in conn.execute(text("SELECT library_id FROM method_activity_library WHERE record_id = :r"),
                                             {"r": found})}
    assert linked == set(own)
    page = director.get(f"/methodactivityview/edit/{found}").get_data(as_text=True)
    assert page.count("selected>") >= 2 and "Моховская сельская библиотека" in page
    assert director.delete(f"/api/v1/method_activity/{found}").status_code == 200
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM method_activity_library WHERE record_id = :r"),
                            {"r": found}).scalar() == 0


def _report_rows(client, url) -> dict[str, tuple[str, str]]:
    import re

    body = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>\s*<td>(.*?)</td><td>(.*?)</td>", body)
    return {label: (now, before) for label, now, before in rows}


def test_the_years_report_counts_what_the_district_did(work_app):
    """The seeds' figures: 144 field visits of Залегощенский район in 2020, twice a
    monitoring; Стара Загора's 274 consultations by phone, e-mail and social network."""
    rows = _report_rows(login(work_app, "zal.director"), "/method-report/?year=2020&_l_=ru")
    assert rows["Выезды"] == ("144", "0")
    assert rows["Посещено библиотек"][0] == "12"
    assert rows["Мониторинг"] == ("2", "0")
    assert rows["Занятие школы мастерства"] == ("4", "0")
    rows = _report_rows(login(work_app, "sz.director"), "/method-report/?year=2021&_l_=bg")
    assert rows["Консултации"] == ("274", "0")
    assert (rows["По телефона"], rows["По имейл"], rows["В група в социалните мрежи"]) == \
        (("120", "0"), ("90", "0"), ("64", "0"))
    assert rows["Практикум"] == ("4", "0")


def test_the_report_puts_last_year_beside_and_downloads_as_xlsx(work_app):
    import datetime
    import io

    import openpyxl

    client = login(work_app, "zal.director")
    year = datetime.date.today().year
    rows = _report_rows(client, f"/method-report/?year={year}&_l_=ru")
    assert rows["Выезды"] == ("96", "120")  # the demo's this year and last
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/method-report/xlsx?year={year}&_l_=ru").data))
    cells = {row[0].strip(): row[1:3] for row in book.active.iter_rows(values_only=True) if row and row[0]}
    assert cells["Выезды"] == (96, 120)


def test_a_report_outside_ones_subtree_is_as_missing_as_an_unknown_one(work_app, owner_engine):
    zal = _id(owner_engine, "SELECT id FROM tenant WHERE code = 'ORL-ZAL'")
    client = login(work_app, "kir.director")
    foreign, missing = client.get(f"/method-report/{zal}"), client.get(f"/method-report/{MISSING}")
    assert foreign.status_code == missing.status_code == 404
    import re

    def page(response):  # each page has its own script nonce
        return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))

    assert page(foreign) == page(missing)
    assert client.get(f"/method-report/{zal}/xlsx").status_code == 404
    region = login(work_app, "orel.director")
    assert region.get(f"/method-report/{zal}").status_code == 200  # the region reads its districts'


def test_a_record_types_own_labels_stay_its_own(work_app):
    """An activity's "result" is its result and recommendations; a contest entry's stays its result."""
    client = login(work_app, "zal.director")
    activity = client.get("/api/v1/method_activity/_info?_l_=ru").get_json()
    entry = client.get("/api/v1/contest_entry/_info?_l_=ru").get_json()
    labels = {f["name"]: f["label"] for f in activity["add_columns"]}
    assert labels["result"] == "Итоги и рекомендации"
    assert {f["name"]: f["label"] for f in entry["add_columns"]}["result"] == "Итог"
