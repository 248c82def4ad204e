"""A district's summary of the year on its way to the region: submitted by the district once
every library's report is approved (refused before, naming the libraries), returned with a
comment or approved by the region, never by the district itself; while it is with the
region its libraries' reports are closed; the region's figures are the sum of its
districts' approved summaries; each step is mailed to the person whose turn it is."""
import datetime
import json
import re

import pytest
from sqlalchemy import text

from app import mail

from .conftest import login, snapshot
from .stat_helpers import stored_summary, summary_steps as _history, tenant_id as _tenant
from .test_stat_reports import _library, _report_id, _step, _text

YEAR = 2024
MGL, ZAL = "Мъглиж", "Залегощенский район"
SVETLINA, PROBUDA = "Библиотека при НЧ „Светлина 1899“", "Библиотека при НЧ „Пробуда 1927“"


def _summary(engine, district, year=YEAR) -> dict | None:
    return stored_summary(engine, district, year)


def _take(client, tenant_id, step, comment=None, year=YEAR):
    form = {"step": step}
    if comment is not None:
        form["comment"] = comment
    return client.post(f"/stat-summary/{tenant_id}/step?year={year}", data=form, follow_redirects=True)


def _set_report(engine, library, status):
    with engine.begin() as conn:
        conn.execute(text("UPDATE stat_report SET status = :s WHERE library_id = :l AND year = :y"),
                     {"s": status, "l": library, "y": YEAR})


def _says(page, english, bulgarian) -> bool:
    """The page says it, in Bulgarian or (until the catalogue has the text) in English."""
    return english in page or bulgarian in page


HELD = ("The district's summary is submitted: the region must return it first.",
        "Обобщеният отчет на общината е подаден: първо областта трябва да го върне за корекция.")


def _letters(inbox) -> list:
    mail.delivered()
    out = [(to, message) for to, message in inbox.letters]
    inbox.letters.clear()
    return out


@pytest.fixture
def maglizh(owner_engine):
    """Мъглиж, whose three libraries' 2024 reports the demo approved; its summary of 2024
    and any change to the reports undone after the test."""
    tenant = _tenant(owner_engine, MGL)
    yield tenant
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM stat_summary_step WHERE tenant_id = :t"), {"t": tenant})
        conn.execute(text("DELETE FROM stat_summary WHERE tenant_id = :t AND year = :y"), {"t": tenant, "y": YEAR})
    _set_report(owner_engine, _library(owner_engine, PROBUDA), "approved")
    _set_report(owner_engine, _library(owner_engine, SVETLINA), "approved")


def _xlsx_value(client, tenant_id, code):
    import io

    from openpyxl import load_workbook

    from app.statistics.forms import edition

    label = edition("bg-annual-2023").indicators[code].labels["bg"]
    response = client.get(f"/stat-summary/{tenant_id}/xlsx?year={YEAR}")
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [list(r) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    found = [r for r in rows if r and r[0] == label]
    return found[0][3] if found else None


def test_the_district_submits_the_region_returns_and_approves(mailing_app, smtp, owner_engine, maglizh):
    _, inbox = smtp
    _letters(inbox)
    district, region = login(mailing_app, "maglizh.director"), login(mailing_app, "sz.director")
    probuda = _library(owner_engine, PROBUDA)

    # One library's report is back with it: the summary is refused, naming the library.
    _set_report(owner_engine, probuda, "returned")
    page = _text(_take(district, maglizh, "submit"))
    refusal = page[page.find("&times;"):page.find(MGL, page.find("&times;"))]  # the flashed message
    assert PROBUDA in refusal and SVETLINA not in refusal
    assert _summary(owner_engine, maglizh) is None and not _letters(inbox)
    _set_report(owner_engine, probuda, "approved")

    # The district page offers "submit" to the district, nothing to approve.
    html = district.get(f"/stat-summary/{maglizh}?year={YEAR}").get_data(as_text=True)
    assert 'value="submit"' in html and 'value="approve"' not in html
    _take(district, maglizh, "submit")
    summary = _summary(owner_engine, maglizh)
    assert summary["status"] == "submitted"
    # Its figures are kept as submitted: the three approved reports summed.
    kept = summary["values"]["bg-annual-2023"]
    assert kept["reports"] == 3 and kept["values"]["readers_total"] == 640 + 380 + 295
    (to, letter), = _letters(inbox)
    assert to == ["sz.director@localhost"] and MGL in letter["Subject"] and "2024" in letter["Subject"]
    assert f"/stat-summary/{maglizh}?year={YEAR}" in letter.get_content()

    # The district cannot approve its own summary, even by posting the step.
    before = snapshot(owner_engine)
    assert 'value="approve"' not in district.get(f"/stat-summary/{maglizh}?year={YEAR}").get_data(as_text=True)
    _take(district, maglizh, "approve")
    assert snapshot(owner_engine) == before

    # While it is with the region, its libraries' reports take no step and change no figure.
    svetlina = _report_id(owner_engine, _library(owner_engine, SVETLINA), YEAR)
    assert _says(_text(_step(region, owner_engine, svetlina, "reopen", "Грешка във фонда")), *HELD)
    assert snapshot(owner_engine) == before
    _set_report(owner_engine, _library(owner_engine, SVETLINA), "returned")  # as if it had been open
    branch = login(mailing_app, "maglizh.branch")
    assert _says(_text(branch.get(f"/statreportview/edit/{svetlina}", follow_redirects=True)), *HELD)
    branch.post(f"/statreportview/edit/{svetlina}", data={"v_readers_total": "1", "do": "submit"})
    _set_report(owner_engine, _library(owner_engine, SVETLINA), "approved")
    assert snapshot(owner_engine) == before

    # The region returns it: a comment is required.
    html = region.get(f"/stat-summary/{maglizh}?year={YEAR}").get_data(as_text=True)
    assert 'value="approve"' in html and 'value="return"' in html and 'value="submit"' not in html
    _take(region, maglizh, "return")
    assert _summary(owner_engine, maglizh)["status"] == "submitted"
    _take(region, maglizh, "return", "Проверете броя на читателите")
    assert _summary(owner_engine, maglizh)["status"] == "returned"
    (to, letter), = _letters(inbox)
    assert to == ["maglizh.director@localhost"] and "Проверете броя на читателите" in letter.get_content()
    page = _text(district.get(f"/stat-summary/{maglizh}?year={YEAR}"))
    assert "Проверете броя на читателите" in page  # in the history

    # Resubmitted, then approved by the region's methodologist.
    _take(district, maglizh, "submit")
    assert len(_letters(inbox)) == 1
    _take(login(mailing_app, "sz.methodologist"), maglizh, "approve")
    summary = _summary(owner_engine, maglizh)
    assert summary["status"] == "approved" and not _letters(inbox)
    assert [(f, t) for f, t, _ in _history(owner_engine, summary["id"])] == [
        (None, "draft"), ("draft", "submitted"), ("submitted", "returned"), ("returned", "submitted"),
        ("submitted", "approved")]

    # The region's figures: its districts' approved summaries (Мъглиж's alone so far, though
    # other districts have approved reports), said how many districts are included.
    szr = _tenant(owner_engine, "Област Стара Загора")
    assert _xlsx_value(region, szr, "readers_total") == 640 + 380 + 295
    assert _xlsx_value(region, maglizh, "readers_total") == 640 + 380 + 295
    with owner_engine.connect() as conn:
        districts = conn.execute(text("SELECT count(*) FROM tenant WHERE parent_id = :r"), {"r": szr}).scalar()
    page = _text(region.get(f"/stat-summary/{szr}?year={YEAR}"))
    assert _says(page, f"The region's figures sum 1 approved district summary of {districts}.",
                 f"Показателите на областта са сбор от 1 одобрен обобщен отчет на община от {districts}.")

    # Reopening an approved summary is the region's, with a reason.
    _take(region, maglizh, "reopen")
    assert _summary(owner_engine, maglizh)["status"] == "approved"
    _take(district, maglizh, "reopen", "Искам да поправя")
    assert _summary(owner_engine, maglizh)["status"] == "approved"
    _take(region, maglizh, "reopen", "Уточнение на фонда")
    assert _summary(owner_engine, maglizh)["status"] == "returned"
    (to, _), = _letters(inbox)
    assert to == ["maglizh.director@localhost"]


def test_the_region_sums_the_approved_snapshots_which_later_changes_do_not_move(app, owner_engine, maglizh):
    region, district = login(app, "sz.director"), login(app, "maglizh.director")
    _take(district, maglizh, "submit")
    _take(region, maglizh, "approve")
    szr = _tenant(owner_engine, "Област Стара Загора")
    with owner_engine.connect() as conn:
        rows = conn.execute(text("SELECT \"values\" FROM stat_summary s JOIN tenant t ON t.id = s.tenant_id "
                                 "WHERE t.parent_id = :r AND s.year = :y AND s.status = 'approved'"),
                            {"r": szr, "y": YEAR}).scalars().all()
    kept = [json.loads(v) if isinstance(v, str) else v for v in rows]
    expected = sum(k["bg-annual-2023"]["values"]["readers_total"] for k in kept)
    assert _xlsx_value(region, szr, "readers_total") == expected
    # A report changed behind the summary's back (as if reopened and refilled) moves the
    # district's live figures, not what the region approved.
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE stat_report SET status = 'returned' WHERE library_id = :l AND year = :y"),
                     {"l": _library(owner_engine, PROBUDA), "y": YEAR})
    assert _xlsx_value(region, szr, "readers_total") == expected


def test_a_summary_is_refused_while_libraries_have_not_reported_naming_them(app, owner_engine):
    zal = _tenant(owner_engine, ZAL)
    before = snapshot(owner_engine)
    page = _text(_take(login(app, "zal.director"), zal, "submit", year=2025))
    assert "Верхнескворченская сельская библиотека" in page and "Ломовецкая сельская библиотека" in page
    assert snapshot(owner_engine) == before
    assert _summary(owner_engine, zal, 2025)["status"] == "draft"  # the demo's


@pytest.mark.parametrize("username", ["kir.director", "zal.director", "maglizh.branch"])
def test_another_districts_summary_is_as_missing_as_an_unknown_one(app, owner_engine, maglizh, username):
    client = login(app, username)
    before = snapshot(owner_engine)
    for method, url in (("GET", "/stat-summary/{}?year=2024"), ("POST", "/stat-summary/{}/step?year=2024")):
        missing = client.open(url.format(10**7), method=method, data={"step": "submit"})
        found = client.open(url.format(maglizh), method=method, data={"step": "submit"})
        if username == "maglizh.branch":  # her own district: she reads it, takes no step
            assert found.status_code in (200, 302)
        else:
            assert (found.status_code, _text(found)) == (missing.status_code, _text(missing))
            assert found.status_code == 404
    assert snapshot(owner_engine) == before
    assert _summary(owner_engine, maglizh) is None


def test_waiting_lists_the_summary_to_submit_and_to_check(app, owner_engine, maglizh):
    from .test_stat_waiting import _waiting

    district, region = login(app, "maglizh.director"), login(app, "sz.director")
    assert MGL not in _waiting(region)
    _take(district, maglizh, "submit")
    shown = _waiting(region)
    assert _says(shown, f"За проверка: district summary {YEAR}, {MGL}",
                 f"За проверка: обобщен отчет на общината {YEAR}, {MGL}"), shown
    assert MGL not in _waiting(login(app, "kir.director"))
    # Залегощенский район's summary of last year: its date at the region has passed, so it
    # waits for the district, late, though its libraries have not all reported.
    year = datetime.date.today().year - 1
    zal = _waiting(login(app, "zal.director"))
    assert _says(zal, f"To submit: district summary {year}, {ZAL}", f"Сдать: сводный отчёт района {year}, {ZAL}"), zal
    assert re.search(re.escape(ZAL) + r"; срок \d\d\.\d\d\.\d{4} Опаздывает", zal), zal
    assert ZAL not in _waiting(login(app, "zal.viewer"))
