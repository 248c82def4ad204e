"""A district's and a region's statistical summary as their directors read it: the figures
summed over the approved reports only, who has not reported, who is late after the date
the district set; another district's summary is as missing as an unknown one."""
import io
import json

from openpyxl import load_workbook
from sqlalchemy import text

from app.statistics.forms import edition

from .conftest import login
from .test_stat_reports import _text

ZAL, MGL = "Залегощенский район", "Мъглиж"


def _tenant(engine, name):
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM tenant WHERE name = :n"), {"n": name}).scalar()


def _approved_sum(engine, tenant_id, year, code):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT \"values\" FROM stat_report WHERE tenant_id = :t AND year = :y "
                                 "AND status = 'approved'"), {"t": tenant_id, "y": year}).scalars().all()
    values = [json.loads(v) if isinstance(v, str) else v for v in rows]
    return len(values), sum(v[code] for v in values if isinstance(v.get(code), (int, float)))


def _text_of(html):
    class Page:
        def get_data(self, as_text=True):
            return html
    return _text(Page())


def _sheet_rows(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_a_districts_summary_sums_its_approved_reports_only(owner_engine, app):
    zal = _tenant(owner_engine, ZAL)
    reports, users = _approved_sum(owner_engine, zal, 2024, "users_total")
    assert reports >= 1
    director = login(app, "zal.director")
    page = _text(director.get("/stat-summary/?year=2024"))
    assert "Сводный статистический отчёт за 2024 год" in page
    assert f"Сумма по {reports} утверждённ" in page
    label = edition("6nk-2021").indicators["users_total"].labels["ru"]
    rows = _sheet_rows(director.get(f"/stat-summary/{zal}/xlsx?year=2024"))
    row = next(r for r in rows if r and r[0] == label)
    assert row[3] == users
    # A submitted report of 2025 is not summed until it is approved.
    _, users_2025 = _approved_sum(owner_engine, zal, 2025, "users_total")
    rows = _sheet_rows(director.get(f"/stat-summary/{zal}/xlsx?year=2025"))
    summed = [r for r in rows if r and r[0] == label]
    assert (summed[0][3] if summed else 0) == users_2025


def test_libraries_without_a_report_are_named_and_late_after_the_districts_date(owner_engine, app):
    director = login(app, "zal.director")
    # The district sets its libraries' date for 2024; the summary reads it.
    added = director.post("/statdeadlineview/add", data={
        "tenant": _tenant(owner_engine, ZAL), "year": 2024, "level": "libraries", "due_on": "2025-01-20"},
        follow_redirects=True)
    assert added.status_code == 200
    html = director.get("/stat-summary/?year=2024").get_data(as_text=True)
    page = _text_of(html)
    assert "Отчёты библиотек сдаются до 20.01.2025." in page
    with owner_engine.connect() as conn:
        missing = conn.execute(text(
            "SELECT count(*) FROM library l WHERE l.tenant_id = :t AND l.status = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM stat_report r WHERE r.library_id = l.id AND r.year = 2024 "
            "AND r.status IN ('submitted', 'approved'))"), {"t": _tenant(owner_engine, ZAL)}).scalar()
    assert missing >= 1
    assert html.count('<span class="label label-late">Опаздывает</span>') == missing
    assert "Не начат" in page


def test_a_district_does_not_set_its_own_summarys_date(owner_engine, app):
    director = login(app, "zal.director")
    before = owner_engine.connect().execute(text("SELECT count(*) FROM stat_deadline")).scalar()
    page = director.post("/statdeadlineview/add", data={
        "tenant": _tenant(owner_engine, ZAL), "year": 2023, "level": "districts", "due_on": "2024-02-01"},
        follow_redirects=True)
    assert "Срок сводного отчёта района устанавливает область." in _text(page)
    assert owner_engine.connect().execute(text("SELECT count(*) FROM stat_deadline")).scalar() == before


def test_a_region_sees_each_district_and_another_district_sees_nothing(owner_engine, app):
    region = _text(login(app, "orel.director").get("/stat-summary/?year=2024"))
    assert ZAL in region and "Утверждён" in region
    zal = _tenant(owner_engine, ZAL)
    foreign = login(app, "maglizh.director")
    assert foreign.get(f"/stat-summary/{zal}?year=2024").status_code == 404
    assert foreign.get(f"/stat-summary/{zal}/xlsx?year=2024").status_code == 404
    assert foreign.get(f"/stat-summary/{10**7}?year=2024").status_code == 404
    own = _text(foreign.get("/stat-summary/?year=2024"))
    assert "Обобщен статистически отчет за 2024 г." in own and ZAL not in own
