"""A library's annual statistical report as people fill and check it: the methodologist
starts a report (in her country's form), fills it section by section with last year's
figures beside it, saves drafts whatever the checks say, and cannot submit while an error
stands or a large change has no note; the district's director returns it with a comment or
approves it; an approved report is closed to branch staff; another district's report is
as missing as an unknown one; every step is in the report's history."""
import json
import re

import pytest
from sqlalchemy import text

from app.demo_data.stat_reports import _bg, _ru

from .conftest import put_current, login, snapshot
from .stat_helpers import (  # under the names other tests import them by
    library_id as _library, report_id as _report_id, report_steps as _steps, scalar as _id, stored_report as _report,
)

MISSING = 10**7
VERKHNEE = "Верхнескворченская сельская библиотека"  # Залегощенский район: no demo reports
BORTNOE = "Бортновская сельская библиотека"  # zal.branch's library
SVETLINA = "Библиотека при НЧ „Светлина 1899“"  # maglizh.branch's library
NADEZHDA = "Библиотека при НЧ „Надежда 1895“"  # Павел баня


def _text(response) -> str:
    return _said(response.get_data(as_text=True))


def _said(html: str) -> str:
    """What a page (or a part of it) says, as words."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&#34;", '"').replace("&#39;", "'")
                    .replace("&quot;", '"').replace("&amp;", "&").split())


def _add(client, library, year):
    return client.post("/statreportview/add", data={"library": library, "year": year}, follow_redirects=True)


def _fill(client, engine, pk, values, notes=None, unknown=(), do="save"):
    """The entry form as a person sends it: every figure typed in the Russian way."""
    form = {"version": _report(engine, pk)["version"], "do": do}
    for code, value in values.items():
        form[f"v_{code}"] = str(value).replace(".", ",")
    for code in unknown:
        form[f"u_{code}"] = "1"
    for code, note in (notes or {}).items():
        form[f"n_{code}"] = note
    return client.post(f"/statreportview/edit/{pk}", data=form, follow_redirects=True)


def _step(client, engine, pk, step, comment=None):
    form = {"version": _report(engine, pk)["version"], "step": step}
    if comment is not None:
        form["comment"] = comment
    return client.post(f"/statreportview/step/{pk}", data=form, follow_redirects=True)


@pytest.fixture
def verkhnee(owner_engine):
    """Верхнескворченская library, with its reports removed again after the test."""
    library = _library(owner_engine, VERKHNEE)
    yield library
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM stat_report_step WHERE library_id = :l"), {"l": library})
        conn.execute(text("DELETE FROM stat_report WHERE library_id = :l"), {"l": library})


@pytest.fixture
def last_year(app, owner_engine, verkhnee):
    """Its 2024 report, filled, submitted and approved: the year before the one to fill."""
    methodologist, director = login(app, "zal.methodologist"), login(app, "zal.director")
    _add(methodologist, verkhnee, 2024)
    pk = _report_id(owner_engine, verkhnee, 2024)
    _fill(methodologist, owner_engine, pk, _ru(300, 100, 70, 4000, 7000, 0, 30, 9000, 200, 150, 1), do="submit")
    _step(director, owner_engine, pk, "approve")
    assert _report(owner_engine, pk)["status"] == "approved"
    return pk


@pytest.fixture
def this_year(app, owner_engine, verkhnee, last_year):
    _add(login(app, "zal.methodologist"), verkhnee, 2025)
    return _report_id(owner_engine, verkhnee, 2025)


def test_a_new_report_is_filled_in_its_countrys_form(app, owner_engine, verkhnee):
    page = _add(login(app, "zal.methodologist"), verkhnee, 2024)
    pk = _report_id(owner_engine, verkhnee, 2024)
    assert pk and _report(owner_engine, pk)["edition"] == "6nk-2021"
    assert _report(owner_engine, pk)["status"] == "draft"
    assert _steps(owner_engine, pk) == [(None, "draft", None)]
    assert page.status_code == 200

    branch = login(app, "maglizh.branch")
    svetlina = _library(owner_engine, SVETLINA)
    try:
        _add(branch, svetlina, 2023)
        assert _report(owner_engine, _report_id(owner_engine, svetlina, 2023))["edition"] == "bg-annual-2023"
        # Bulgaria's return has no edition before 2023: said, and nothing is made.
        page = _add(branch, svetlina, 2022)
        assert "Няма статистически формуляр за тази година" in _text(page), _text(page)[:2000]
        assert _report_id(owner_engine, svetlina, 2022) is None
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM stat_report_step WHERE report_id IN (SELECT id FROM stat_report "
                              "WHERE library_id = :l AND year = 2023)"), {"l": svetlina})
            conn.execute(text("DELETE FROM stat_report WHERE library_id = :l AND year = 2023"), {"l": svetlina})


def test_the_entry_screen_shows_last_years_figures_and_the_change(app, owner_engine, this_year):
    client = login(app, "zal.methodologist")
    _fill(client, owner_engine, this_year, {"users_total": 330})
    html = client.get(f"/statreportview/edit/{this_year}").get_data(as_text=True)
    row = re.search(r'<tr id="f-users_total".*?</tr>', html, flags=re.S)[0]
    # The line with its label, this year's figure, last year's and the change (+10 %).
    assert "Число зарегистрированных пользователей — всего" in row and 'value="330"' in row
    assert re.search(r">\s*300\s*<.*?>\s*\+10\s?%\s*<", row, flags=re.S), row
    # Totals the form computes are marked as such, and the page brings its own script.
    html = client.get(f"/statreportview/edit/{this_year}").get_data(as_text=True)
    assert 'data-parts="loans_onsite loans_remote"' in html
    assert "/static/js/stat_report.js" in html


def test_a_draft_keeps_figures_unknowns_and_notes_even_when_checks_fail(app, owner_engine, this_year):
    client = login(app, "zal.methodologist")
    page = _fill(client, owner_engine, this_year,
                 {"users_total": 320, "users_onsite": 200, "users_children": 250, "loans_onsite": "1 000",
                  "loans_remote": 200, "loans_total": 5, "area_total": 0},
                 notes={"users_total": "Открыт пункт выдачи"}, unknown=("users_remote",))
    stored = _report(owner_engine, this_year)
    assert stored["status"] == "draft"
    assert stored["values"]["users_children"] == 250  # above its whole, and kept
    assert stored["values"]["users_remote"] == "unknown"  # neither 0 nor empty
    assert stored["values"]["area_total"] == 0
    assert "users_youth" not in stored["values"]  # left empty
    assert stored["values"]["loans_total"] == 1200  # a total is its parts' sum, whatever was sent
    assert stored["notes"] == {"users_total": "Открыт пункт выдачи"}
    said = _text(page)
    assert "Сохранено" in said or "сохранены" in said
    assert "Ошибка" in said and "не может быть больше" in said and "дети до 14 лет" in said

    # A figure that is no number saves nothing, says which field, and keeps what was typed.
    before = _report(owner_engine, this_year)
    page = _fill(client, owner_engine, this_year, {"users_total": "триста", "visits_total": 4100})
    assert page.status_code == 422
    assert "Введите число" in _text(page) and 'value="триста"' in page.get_data(as_text=True)
    assert _report(owner_engine, this_year) == before


def test_a_broken_sum_blocks_submission_naming_the_field(app, owner_engine, this_year):
    client = login(app, "zal.methodologist")
    _fill(client, owner_engine, this_year, _ru(310, 100, 70, 4100, 7100, 0, 31, 9050, 210, 160, 1))
    # A total that disagrees with its parts, as an import or an older edition leaves it.
    values = {**_report(owner_engine, this_year)["values"], "stock_added_total": 999}
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE stat_report SET \"values\" = :v WHERE id = :i"),
                     {"v": json.dumps(values), "i": this_year})
    page = _text(_step(client, owner_engine, this_year, "submit"))
    assert "Отчёт нельзя отправить" in page
    assert "Поступило экземпляров — всего" in page and "999" in page
    assert _report(owner_engine, this_year)["status"] == "draft"
    assert _steps(owner_engine, this_year) == [(None, "draft", None)]


def test_a_large_change_needs_a_note_before_submission(app, owner_engine, this_year):
    client = login(app, "zal.methodologist")
    figures = _ru(310, 100, 70, 5600, 7100, 0, 31, 9050, 210, 160, 1)  # visits 4000 -> 5600: +40 %
    page = _text(_fill(client, owner_engine, this_year, figures, do="submit"))
    assert "Число посещений — всего" in page and "+40" in page and "поясните" in page.lower()
    assert _report(owner_engine, this_year)["status"] == "draft"

    _fill(client, owner_engine, this_year, figures, notes={"visits_total": "Открыт клуб выходного дня"},
          do="submit")
    assert _report(owner_engine, this_year)["status"] == "submitted"
    assert _steps(owner_engine, this_year)[-1] == ("draft", "submitted", None)


def test_a_region_sets_the_change_that_needs_a_note_for_its_districts(app, owner_engine, this_year):
    """Орловская область allows 50 %: a 40 % jump goes without a note; a district cannot set it."""
    with owner_engine.connect() as conn:
        orel = conn.scalar(text("SELECT id FROM tenant WHERE name = 'Орловская область'"))
        zal = conn.scalar(text("SELECT id FROM tenant WHERE name = :n"), {"n": "Залегощенский район"})
    region = login(app, "orel.director")
    answer = put_current(region, f"/api/v1/tenant/{orel}", {"stat_threshold": 50})
    assert answer.status_code == 200, answer.get_json()
    try:
        district = put_current(login(app, "zal.director"), f"/api/v1/tenant/{zal}?_l_=ru", {"stat_threshold": 90})
        assert district.status_code == 422
        assert district.get_json()["errors"]["stat_threshold"] == ["Её задаёт область для всех своих районов."]
        figures = _ru(310, 100, 70, 5600, 7100, 0, 31, 9050, 210, 160, 1)  # visits 4000 -> 5600: +40 %
        _fill(login(app, "zal.methodologist"), owner_engine, this_year, figures, do="submit")
        assert _report(owner_engine, this_year)["status"] == "submitted"
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE tenant SET stat_threshold = NULL WHERE id = :id"), {"id": orel})


def test_return_needs_a_comment_and_opens_the_report_again(app, owner_engine, this_year):
    methodologist, director = login(app, "zal.methodologist"), login(app, "zal.director")
    _fill(methodologist, owner_engine, this_year, _ru(310, 100, 70, 4100, 7100, 0, 31, 9050, 210, 160, 1),
          do="submit")
    assert _report(owner_engine, this_year)["status"] == "submitted"
    # Submitted, it is closed to its filler until the district returns it.
    page = methodologist.get(f"/statreportview/edit/{this_year}", follow_redirects=True)
    assert "изменить нельзя" in _text(page)

    page = _text(_step(director, owner_engine, this_year, "return"))
    assert "Введите что исправить" in page or "что исправить" in page.lower()
    assert _report(owner_engine, this_year)["status"] == "submitted"

    _step(director, owner_engine, this_year, "return", "Проверьте число посещений")
    assert _report(owner_engine, this_year)["status"] == "returned"
    assert _steps(owner_engine, this_year)[-1] == ("submitted", "returned", "Проверьте число посещений")
    card = _text(director.get(f"/statreportview/show/{this_year}"))
    assert "Проверьте число посещений" in card and "Климова" in card  # the history says who and why
    # The step and the status went through the audit trail, as every write does.
    with owner_engine.connect() as conn:
        audited = conn.execute(text(
            "SELECT table_name, username FROM audit_entry WHERE (table_name = 'stat_report' AND record_id = :r) "
            "OR (table_name = 'stat_report_step' AND record_id IN "
            "(SELECT id FROM stat_report_step WHERE report_id = :r))"), {"r": this_year}).all()
    assert ("stat_report_step", "zal.director") in audited and ("stat_report", "zal.director") in audited
    entry = _id(owner_engine, "SELECT max(id) FROM audit_entry WHERE table_name = 'stat_report' AND record_id = :r",
                r=this_year)
    assert director.get("/auditview/list/").status_code == 200
    assert director.get(f"/auditview/show/{entry}").status_code == 200

    page = methodologist.get(f"/statreportview/edit/{this_year}")
    assert page.status_code == 200 and 'name="v_visits_total"' in page.get_data(as_text=True)
    _fill(methodologist, owner_engine, this_year, _ru(310, 100, 70, 4150, 7100, 0, 31, 9050, 210, 160, 1),
          do="submit")
    assert _report(owner_engine, this_year)["status"] == "submitted"
    assert [s[1] for s in _steps(owner_engine, this_year)] == ["draft", "submitted", "returned", "submitted"]


def test_the_districts_director_or_methodologist_approves_and_reopens_with_a_reason(
        app, owner_engine, this_year, last_year):
    methodologist, director = login(app, "zal.methodologist"), login(app, "zal.director")
    _fill(director, owner_engine, this_year, _ru(310, 100, 70, 4100, 7100, 0, 31, 9050, 210, 160, 1),
          do="submit")  # the director fills a library's report too
    assert _report(owner_engine, this_year)["status"] == "submitted"
    viewer = login(app, "zal.viewer")
    assert viewer.get(f"/statreportview/show/{this_year}").status_code == 200  # reads it
    assert 'name="step"' not in viewer.get(f"/statreportview/show/{this_year}").get_data(as_text=True)
    assert "Ваша роль не позволяет" in _text(_step(viewer, owner_engine, this_year, "approve"))
    assert _report(owner_engine, this_year)["status"] == "submitted"
    assert 'value="approve"' in methodologist.get(f"/statreportview/show/{this_year}").get_data(as_text=True)
    _step(methodologist, owner_engine, this_year, "approve")
    assert _report(owner_engine, this_year)["status"] == "approved"
    _step(director, owner_engine, this_year, "reopen")
    assert _report(owner_engine, this_year)["status"] == "approved"
    _step(director, owner_engine, this_year, "reopen", "Уточнены данные о фонде")
    assert _report(owner_engine, this_year)["status"] == "returned"


def test_an_approved_report_is_closed_to_branch_staff(app, owner_engine):
    client = login(app, "zal.branch")
    pk = _report_id(owner_engine, _library(owner_engine, BORTNOE), 2024)  # the demo's, approved
    before = snapshot(owner_engine)
    card = client.get(f"/statreportview/show/{pk}")
    assert card.status_code == 200 and f"/statreportview/edit/{pk}" not in card.get_data(as_text=True)
    page = client.get(f"/statreportview/edit/{pk}", follow_redirects=True)
    assert "Статус отчёта — «Утверждён»: сейчас его показатели изменить нельзя" in _text(page)
    client.post(f"/statreportview/edit/{pk}", data={"v_users_total": "1", "do": "save"})
    _step(client, owner_engine, pk, "reopen", "Хочу исправить")
    assert snapshot(owner_engine) == before


@pytest.mark.parametrize("username", ["maglizh.director", "maglizh.branch", "kir.director"])
def test_another_districts_report_is_as_missing_as_an_unknown_one(app, owner_engine, username):
    client = login(app, username)
    foreign = _report_id(owner_engine, _library(owner_engine, NADEZHDA), 2025)  # Павел баня's, submitted
    before = snapshot(owner_engine)
    for method, url, data in (("GET", "/statreportview/show/{}", None), ("GET", "/statreportview/edit/{}", None),
                              ("POST", "/statreportview/edit/{}", {"v_readers_total": "1"}),
                              ("POST", "/statreportview/step/{}", {"step": "return", "comment": "x"})):
        missing = client.open(url.format(MISSING), method=method, data=data)
        found = client.open(url.format(foreign), method=method, data=data)
        assert (found.status_code, found.location, _text(found)) == \
            (missing.status_code, missing.location, _text(missing))
        assert found.status_code in (302, 403, 404)
    assert snapshot(owner_engine) == before


def test_bulgarian_screens_speak_bulgarian(app, owner_engine):
    client = login(app, "maglizh.branch")
    pk = _report_id(owner_engine, _library(owner_engine, SVETLINA), 2025)  # the demo's draft
    page = _text(client.get(f"/statreportview/edit/{pk}"))
    assert "Читатели — общо" in page or "Читатели" in page
    assert "Запази чернова" in page
    assert _bg  # the demo's Bulgarian figures are filled from the same helper


def _submit_button(html, where="entry"):
    """The submit button of the entry screen ("do") or of the card's workflow ("step"), and
    the line beside it that says why it is disabled ("" when it is not)."""
    name = "do" if where == "entry" else "step"
    button = re.search(rf'<button type="submit" name="{name}" value="submit"[^>]*>', html)[0]
    why = re.search(r'<span class="stat-why" id="(?:submit-why|why-submit)">.*?(?=</div>|</form>)', html, flags=re.S)
    return button, why[0] if why else ""


def test_submit_is_disabled_saying_why_until_the_saved_report_passes(app, owner_engine, this_year):
    client = login(app, "zal.methodologist")
    figures = _ru(310, 100, 70, 5600, 7100, 0, 31, 9050, 210, 160, 1)  # visits 4000 -> 5600: +40 %, no note
    _fill(client, owner_engine, this_year, {**figures, "users_children": 400})  # children above users on site
    for where, url in (("entry", f"/statreportview/edit/{this_year}"), ("card", f"/statreportview/show/{this_year}")):
        html = client.get(url).get_data(as_text=True)
        button, why = _submit_button(html, where)
        assert " disabled" in button and 'aria-describedby="' in button, (where, button)
        # Counted, with links to the fields: the error first, then the changes to explain
        # (children and visits, both far above last year's).
        said = _said(why)
        assert "Исправьте 1 ошибку и поясните 2 изменения в примечаниях перед отправкой" in said, (where, said)
        assert "«из них дети до 14 лет включительно» (строка 11, графа 4)" in said, said
        assert re.findall(r'href="#f-(\w+)"', why) == ["users_children", "visits_total"]
        assert ("сохраните черновик" in said) == (where == "entry")  # the card has no unsaved edits

    # The button is a convenience: a submission sent anyway is refused as before, both ways.
    page = _text(_fill(client, owner_engine, this_year, {**figures, "users_children": 400}, do="submit"))
    assert "Отчёт нельзя отправить" in page and "не может быть больше" in page
    page = _text(_step(client, owner_engine, this_year, "submit"))
    assert "Отчёт нельзя отправить" in page
    assert _report(owner_engine, this_year)["status"] == "draft"
    assert _steps(owner_engine, this_year) == [(None, "draft", None)]

    # Fixed and explained, and saved: the button is open and the report goes.
    _fill(client, owner_engine, this_year, figures, notes={"visits_total": "Открыт клуб выходного дня"})
    for where, url in (("entry", f"/statreportview/edit/{this_year}"), ("card", f"/statreportview/show/{this_year}")):
        button, why = _submit_button(client.get(url).get_data(as_text=True), where)
        assert " disabled" not in button and why == "", (where, button, why)
    _fill(client, owner_engine, this_year, figures, notes={"visits_total": "Открыт клуб выходного дня"},
          do="submit")
    assert _report(owner_engine, this_year)["status"] == "submitted"


def test_submit_is_disabled_with_the_workflows_reason_while_the_districts_summary_is_with_the_region(
        app, owner_engine, this_year):
    client = login(app, "zal.methodologist")
    _fill(client, owner_engine, this_year, _ru(310, 100, 70, 4100, 7100, 0, 31, 9050, 210, 160, 1))
    district = _id(owner_engine, "SELECT tenant_id FROM stat_report WHERE id = :i", i=this_year)
    before = _id(owner_engine, "SELECT status FROM stat_summary WHERE tenant_id = :t AND year = 2025", t=district)
    with owner_engine.begin() as conn:  # as if the region had it: the district submitted it
        if before is None:
            conn.execute(text("INSERT INTO stat_summary (tenant_id, year, status, \"values\", version) "
                              "VALUES (:t, 2025, 'submitted', '{}', 1)"), {"t": district})
        else:
            conn.execute(text("UPDATE stat_summary SET status = 'submitted' WHERE tenant_id = :t AND year = 2025"),
                         {"t": district})
    try:
        button, why = _submit_button(client.get(f"/statreportview/show/{this_year}").get_data(as_text=True), "card")
        assert " disabled" in button
        assert "Сводный отчёт района сдан в область" in _said(why) and 'href="#f-' not in why
        assert "Сводный отчёт района сдан в область" in _text(_step(client, owner_engine, this_year, "submit"))
        assert _report(owner_engine, this_year)["status"] == "draft"
    finally:
        with owner_engine.begin() as conn:
            if before is None:
                conn.execute(text("DELETE FROM stat_summary WHERE tenant_id = :t AND year = 2025"), {"t": district})
            else:
                conn.execute(text("UPDATE stat_summary SET status = :s WHERE tenant_id = :t AND year = 2025"),
                             {"s": before, "t": district})
