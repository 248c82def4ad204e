"""The statistical reports through the REST API as a library, its district and its region
use them: a branch librarian makes her library's report and fills it, cannot submit it
while a part exceeds its whole or a large change has no note, submits it once fixed; the
district's director returns it (with a comment) and approves it; the region's director
reopens it (with a reason). Another district's reports and summary are as missing as
unknown ones; the summary is the sum of the approved reports. A district's summary takes its
steps through the API as on its page: the district submits it once every library's report is
approved, the region returns, approves and reopens it; another district's is as missing as an
unknown one. The document lists it all."""
import json
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.demo_data.stat_reports import _ru

from .conftest import login, snapshot
from .stat_helpers import (
    library_id, report_id, report_steps as _steps, scalar as _scalar, stored_report as _stored, stored_summary,
    summary_steps, tenant_id,
)
from .test_api_document import check_answer

MISSING = 10**7
BORTNOE = "Бортновская сельская библиотека"  # zal.branch's library; the demo has its 2024 and 2025
SVETLINA = "Библиотека при НЧ „Светлина 1899“"  # maglizh.branch's
YEAR = 2026  # a year the demo has no report of
API = "/api/v1/stat_report/"


def _put(client, pk, body):
    version = client.get(f"{API}{pk}").get_json()["result"]["version"]
    return client.put(f"{API}{pk}", json={**body, "version": version})


@pytest.fixture
def bortnoe(owner_engine):
    """Бортновская library, its reports of YEAR removed again after the test."""
    library = _scalar(owner_engine, "SELECT id FROM library WHERE name = :n", n=BORTNOE)
    yield library
    with owner_engine.begin() as conn:
        for table, column in (("stat_report_step", "report_id"), ("stat_report", "id")):
            conn.execute(text(f"DELETE FROM {table} WHERE {column} IN "
                              "(SELECT id FROM stat_report WHERE library_id = :l AND year = :y)"),
                         {"l": library, "y": YEAR})


@pytest.fixture
def report(app, bortnoe):
    """Her library's report of YEAR, made through the API."""
    created = login(app, "zal.branch").post(API, json={"library": bortnoe, "year": YEAR})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


# Close to last year's (2025: 420 users, 158 children, 5300 visits): no change wants a note.
GOOD = _ru(430, 150, 90, 5400, 9900, 0, 50, 11300, 300, 240, 1)


def test_a_branch_librarian_fills_and_submits_her_report_and_the_district_checks_it(
        app, owner_engine, report):
    branch, director = login(app, "zal.branch"), login(app, "zal.director")
    pk, shown = report["id"], report["result"]
    assert shown["form"] == "6nk-2021" and shown["status"] == "draft" and shown["year"] == YEAR
    assert shown["library"]["name"] == BORTNOE
    assert _steps(owner_engine, pk) == [(None, "draft", None)]

    # A draft keeps what the checks refuse: children above the users served on site.
    figures = {**GOOD, "users_children": 500, "users_remote": None, "loans_total": 5}
    answer = _put(branch, pk, {"values": figures})
    assert answer.status_code == 200, answer.get_json()
    stored = _stored(owner_engine, pk)
    assert stored["values"]["users_children"] == 500
    assert stored["values"]["users_remote"] == "unknown"  # null is "unknown", neither 0 nor left out
    assert answer.get_json()["result"]["values"]["users_remote"] is None
    assert stored["values"]["loans_total"] == 9900  # a total is its parts' sum, whatever was sent

    refused = branch.post(f"{API}{pk}/submit")
    assert refused.status_code == 409
    filler_document = branch.get("/api/v1/_openapi").get_json()
    check_answer(filler_document, "put", f"{API}{pk}", answer)
    check_answer(filler_document, "post", f"{API}{pk}/submit", refused)  # `problems` is documented
    said = refused.get_json()
    assert "Отчёт нельзя отправить" in said["message"]
    codes = {p["code"] for p in said["problems"]}
    assert "users_children" in codes, said
    assert any("дети до 14 лет" in p["message"] for p in said["problems"]), said
    assert _stored(owner_engine, pk)["status"] == "draft"

    # The status moves only through the steps.
    moved = _put(branch, pk, {"status": "submitted"})
    assert moved.status_code == 422 and "status" in moved.get_json()["errors"]

    # Fixed, but visits up by 40 % on last year's without a note.
    figures = {**GOOD, "visits_total": 7420}
    assert _put(branch, pk, {"values": figures}).status_code == 200
    refused = branch.post(f"{API}{pk}/submit", json={})
    assert refused.status_code == 409
    assert [p["code"] for p in refused.get_json()["problems"]] == ["visits_total"]
    assert "+40" in refused.get_json()["problems"][0]["message"]
    assert _put(branch, pk, {"notes": {"visits_total": "Открыт клуб выходного дня"}}).status_code == 200
    submitted = branch.post(f"{API}{pk}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["result"]["status"] == "submitted"
    assert submitted.get_json()["result"]["notes"] == {"visits_total": "Открыт клуб выходного дня"}
    assert submitted.headers["ETag"] == f'"{_stored(owner_engine, pk)["version"]}"'
    check_answer(filler_document, "post", f"{API}{pk}/submit", submitted)

    # Submitted, its figures are closed: said why, and nothing changes.
    before = _stored(owner_engine, pk)
    closed = _put(branch, pk, {"values": {**figures, "users_total": 431}})
    assert closed.status_code == 409 and "Отправлен" in closed.get_json()["message"]
    check_answer(filler_document, "put", f"{API}{pk}", closed)
    assert _stored(owner_engine, pk) == before

    # The district returns it with a comment, not without one.
    bare = director.post(f"{API}{pk}/return", json={})
    assert bare.status_code == 409 and "Что исправить" in bare.get_json()["message"]
    assert _stored(owner_engine, pk)["status"] == "submitted"
    returned = director.post(f"{API}{pk}/return", json={"comment": "Проверьте число посещений"})
    assert returned.status_code == 200 and returned.get_json()["result"]["status"] == "returned"
    assert _steps(owner_engine, pk)[-1] == ("submitted", "returned", "Проверьте число посещений")

    assert branch.post(f"{API}{pk}/submit").status_code == 200
    # A viewer reads it but takes no step; branch staff do not approve.
    viewer = login(app, "zal.viewer")
    assert viewer.get(f"{API}{pk}").status_code == 200
    for client in (viewer, branch):
        refused = client.post(f"{API}{pk}/approve")
        assert refused.status_code == 409 and "Ваша роль не позволяет" in refused.get_json()["message"]
    assert _stored(owner_engine, pk)["status"] == "submitted"
    approved = director.post(f"{API}{pk}/approve")
    assert approved.status_code == 200 and approved.get_json()["result"]["status"] == "approved"

    # The region reopens it, with a reason.
    region = login(app, "orel.director")
    assert region.post(f"{API}{pk}/reopen").status_code == 409
    reopened = region.post(f"{API}{pk}/reopen", json={"reason": "Уточнены данные о фонде"})
    assert reopened.status_code == 200 and reopened.get_json()["result"]["status"] == "returned"
    assert [s[1] for s in _steps(owner_engine, pk)] == \
        ["draft", "submitted", "returned", "submitted", "approved", "returned"]
    assert _steps(owner_engine, pk)[-1] == ("approved", "returned", "Уточнены данные о фонде")


def test_figures_that_are_not_the_forms_are_refused_naming_each(app, owner_engine, report):
    branch, pk = login(app, "zal.branch"), report["id"]
    before = snapshot(owner_engine)
    answer = _put(branch, pk, {"values": {"users_total": "много", "readers_total": 5, "users_onsite": 1.5,
                                          "computers_internet": True}})
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert errors["values.users_total"] == ["Введите число."], errors
    assert errors["values.computers_internet"] == ["Введите число."], errors
    assert snapshot(owner_engine) == before
    answer = _put(branch, pk, {"values": {"readers_total": 5, "users_onsite": 1.5}, "notes": {"nothing": "x"}})
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert "readers_total" in errors["values.readers_total"][0] and "6nk-2021" in errors["values.readers_total"][0]
    assert "nothing" in errors["notes.nothing"][0]
    assert errors["values.users_onsite"] == ["Введите целое число."], errors
    assert snapshot(owner_engine) == before


def test_an_edit_of_an_older_version_is_refused(app, owner_engine, report):
    branch, pk = login(app, "zal.branch"), report["id"]
    version = report["result"]["version"]
    assert branch.put(f"{API}{pk}", json={"values": {"users_total": 10}, "version": version}).status_code == 200
    stale = branch.put(f"{API}{pk}", json={"values": {"users_total": 20}, "version": version})
    assert stale.status_code == 409 and stale.get_json()["result"]["values"]["users_total"] == 10
    assert branch.put(f"{API}{pk}", json={"values": {"users_total": 20}}).status_code == 428
    assert _stored(owner_engine, pk)["values"]["users_total"] == 10
    # A step sent with an older ETag is refused as well.
    old = branch.post(f"{API}{pk}/submit", headers={"If-Match": f'"{version}"'})
    assert old.status_code == 409 and _stored(owner_engine, pk)["status"] == "draft"


def test_the_form_is_the_countrys_and_a_report_is_made_once(app, owner_engine, bortnoe, report):
    branch = login(app, "zal.branch")
    again = branch.post(API, json={"library": bortnoe, "year": YEAR})
    assert again.status_code == 422
    wrong = login(app, "maglizh.branch")
    svetlina = _scalar(owner_engine, "SELECT id FROM library WHERE name = :n", n=SVETLINA)
    before = snapshot(owner_engine)
    answer = wrong.post(API, json={"library": svetlina, "year": YEAR, "form": "6nk-2021"})
    assert answer.status_code == 422 and "bg-annual-2023" in answer.get_json()["errors"]["form"][0]
    answer = wrong.post(API, json={"library": svetlina, "year": 2022})  # Bulgaria's return starts in 2023
    assert answer.status_code == 422 and "Няма статистически формуляр" in answer.get_json()["errors"]["year"][0]
    assert snapshot(owner_engine) == before
    assert wrong.get(f"{API}{report['id']}").status_code == 404

    # Her own report of 2025 (the demo's draft, half filled) cannot go yet: said in Bulgarian.
    own = _scalar(owner_engine, "SELECT id FROM stat_report WHERE library_id = :l AND year = 2025", l=svetlina)
    refused = wrong.post(f"{API}{own}/submit")
    assert refused.status_code == 409
    assert refused.get_json()["message"].startswith("Отчетът не може да бъде подаден")
    problem = next(p for p in refused.get_json()["problems"] if p["code"] == "visits_total")
    assert "„Посещения — общо“" in problem["message"] and "задължителен" in problem["message"]
    assert snapshot(owner_engine) == before


@pytest.mark.parametrize("username", ["kir.director", "maglizh.director"])
def test_another_districts_report_and_summary_are_as_missing_as_unknown_ones(
        app, owner_engine, report, username):
    client = login(app, username)
    district = _scalar(owner_engine, "SELECT id FROM tenant WHERE code = 'ORL-ZAL'")
    before = snapshot(owner_engine)
    for method, url, body in (("GET", "{}{}", None), ("PUT", "{}{}", {"values": {}, "version": 1}),
                              ("POST", "{}{}/approve", None), ("POST", "{}{}/return", {"comment": "x"}),
                              ("POST", "{}{}/reopen", {"reason": "x"}), ("POST", "{}{}/submit", None)):
        found = client.open(url.format(API, report["id"]), method=method, json=body)
        missing = client.open(url.format(API, MISSING), method=method, json=body)
        assert (found.status_code, found.get_json()) == (missing.status_code, missing.get_json()), url
        assert found.status_code in (403, 404)  # a director may not PUT a report at all
    summary = client.get(f"/api/v1/stat_summary/{district}?year=2024")
    missing = client.get(f"/api/v1/stat_summary/{MISSING}?year=2024")
    assert summary.status_code == 404 and summary.get_json() == missing.get_json()
    listed = client.get(f"{API}?year={YEAR}").get_json()
    assert report["id"] not in {row["id"] for row in listed["result"]}
    assert snapshot(owner_engine) == before


def test_the_summary_is_the_sum_of_the_approved_reports(app, owner_engine):
    director = login(app, "zal.director")
    district = _scalar(owner_engine, "SELECT id FROM tenant WHERE code = 'ORL-ZAL'")
    with owner_engine.connect() as conn:
        rows = conn.execute(text('SELECT status, "values" FROM stat_report WHERE year = 2024 AND tenant_id = :t'),
                            {"t": district}).all()
    approved = [json.loads(v) if isinstance(v, str) else v for s, v in rows if s == "approved"]
    assert len(approved) >= 2
    expected = {}
    for values in approved:
        for code, value in values.items():
            if value != "unknown":
                expected[code] = expected.get(code, Decimal(0)) + Decimal(str(value))
    answer = director.get(f"/api/v1/stat_summary/{district}?year=2024")
    assert answer.status_code == 200, answer.get_json()
    document = director.get("/api/v1/_openapi").get_json()
    check_answer(document, "get", f"/api/v1/stat_summary/{district}", answer)
    found = answer.get_json()
    assert found["tenant"] == district and found["year"] == 2024
    [edition] = found["editions"]
    assert edition["form"] == "6nk-2021" and edition["reports"] == len(approved)
    assert {c: Decimal(str(v)) for c, v in edition["values"].items()} == expected
    assert edition["values"]["users_total"] == 412 + 356  # Бортновская and Грачевская
    assert found["statuses"]["approved"] == Counter(s for s, _ in rows)["approved"]

    # The region reads the district's; its own figures are its districts' approved summaries,
    # and Залегощенский район's of 2024 is not approved.
    region = login(app, "orel.director").get(f"/api/v1/stat_summary/{found['tenant']}?year=2024")
    assert region.status_code == 200 and region.get_json()["editions"] == found["editions"]
    orel = _scalar(owner_engine, "SELECT parent_id FROM tenant WHERE id = :t", t=district)
    whole = login(app, "orel.director").get(f"/api/v1/stat_summary/{orel}?year=2024").get_json()
    assert whole["editions"] == []

    bad = director.get(f"/api/v1/stat_summary/{district}?year=двадцать")
    assert bad.status_code == 400 and "Выберите отчётный год" in bad.get_json()["message"], bad.get_json()
    check_answer(document, "get", f"/api/v1/stat_summary/{district}", bad)
    assert director.get(f"/api/v1/stat_summary/{district}?yaer=2024").status_code == 400


def test_the_document_lists_the_reports_their_steps_and_the_summary(app):
    document = login(app, "zal.director").get("/api/v1/_openapi").get_json()
    paths = document["paths"]
    for step in ("submit", "return", "approve", "reopen"):
        operation = paths[f"/api/v1/stat_report/{{pk}}/{step}"]["post"]
        assert operation["operationId"] == f"stat_report_{step}"
        assert "409" in operation["responses"] and "404" in operation["responses"]
    assert paths["/api/v1/stat_report/{pk}/return"]["post"]["requestBody"]["content"]["application/json"][
        "schema"]["required"] == ["comment"]
    assert set(paths["/api/v1/stat_report/{pk}"]) == {"get", "put"}  # a director fills reports too
    viewer = login(app, "zal.viewer").get("/api/v1/_openapi").get_json()["paths"]
    assert set(viewer["/api/v1/stat_report/{pk}"]) == {"get"}  # a viewer reads them
    filler = login(app, "zal.branch").get("/api/v1/_openapi").get_json()["paths"]
    assert {"get", "put"} <= set(filler["/api/v1/stat_report/{pk}"]) and "post" in filler["/api/v1/stat_report/"]
    assert "get" in paths["/api/v1/stat_summary/{pk}"]
    schema = document["components"]["schemas"]["StatReportApi.get"]["properties"]
    assert schema["values"]["type"] == "object"
    assert schema["values"]["additionalProperties"] == {"type": "number", "nullable": True}
    assert schema["notes"]["type"] == "object" and schema["notes"]["additionalProperties"]["type"] == "string"
    assert "form" in schema and "edition" not in schema
    assert "problems" in document["components"]["schemas"]["Error"]["properties"]
    for step in ("submit", "return", "approve", "reopen"):
        operation = paths[f"/api/v1/stat_summary/{{pk}}/{step}"]["post"]
        assert operation["operationId"] == f"stat_summary_{step}"
        assert {"404", "409"} <= set(operation["responses"])
        assert "version" in operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    required = {step: paths[f"/api/v1/stat_summary/{{pk}}/{step}"]["post"]["requestBody"]["content"][
        "application/json"]["schema"].get("required") for step in ("return", "reopen", "submit")}
    assert required == {"return": ["comment"], "reopen": ["reason"], "submit": None}
    assert "district_summary" in document["components"]["schemas"]["StatSummary"]["properties"]


# -- a district's summary of the year ------------------------------------------------------

SUMMARY_API = "/api/v1/stat_summary/"
MGL, PROBUDA = "Мъглиж", "Библиотека при НЧ „Пробуда 1927“"  # the demo approved its 2024 reports


@pytest.fixture
def maglizh(owner_engine):
    """Мъглиж, whose three libraries' 2024 reports the demo approved: its summary of 2024,
    and the steps and statuses of those reports, undone after the test."""
    district = tenant_id(owner_engine, MGL)
    last_step = _scalar(owner_engine, "SELECT coalesce(max(id), 0) FROM stat_report_step")
    yield district
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM stat_summary_step WHERE tenant_id = :t"), {"t": district})
        conn.execute(text("DELETE FROM stat_summary WHERE tenant_id = :t AND year = 2024"), {"t": district})
        conn.execute(text("DELETE FROM stat_report_step WHERE id > :i"), {"i": last_step})
        conn.execute(text("UPDATE stat_report SET status = 'approved' WHERE tenant_id = :t AND year = 2024"),
                     {"t": district})


def _summary_step(client, district, step, body=None, year=2024):
    return client.post(f"{SUMMARY_API}{district}/{step}?year={year}", json=body)


def test_the_district_submits_its_summary_and_the_region_checks_it(app, owner_engine, maglizh):
    district, methodologist = login(app, "maglizh.director"), login(app, "sz.methodologist")
    document = district.get("/api/v1/_openapi").get_json()
    probuda = library_id(owner_engine, PROBUDA)
    with owner_engine.begin() as conn:  # Пробуда's report is with the district, not approved yet
        conn.execute(text("UPDATE stat_report SET status = 'submitted' WHERE library_id = :l AND year = 2024"),
                     {"l": probuda})

    shown = district.get(f"{SUMMARY_API}{maglizh}?year=2024")
    assert shown.status_code == 200, shown.get_json()
    check_answer(document, "get", f"{SUMMARY_API}{maglizh}", shown)
    own = shown.get_json()["district_summary"]
    assert (own["id"], own["status"], own["version"], own["history"]) == (None, "draft", None, [])
    assert own["steps"] == ["submit"] and own["not_approved"] == [{"id": probuda, "name": PROBUDA}]
    assert shown.get_json()["statuses"]["submitted"] == 1  # the fields it had are as they were

    # Refused while a library's report is not approved, naming it; nothing is stored.
    before = snapshot(owner_engine)
    refused = _summary_step(district, maglizh, "submit")
    assert refused.status_code == 409
    check_answer(document, "post", f"{SUMMARY_API}{maglizh}/submit", refused)
    assert PROBUDA in refused.get_json()["message"]
    assert refused.get_json()["problems"] == [{"code": f"library.{probuda}", "message": PROBUDA}]
    assert snapshot(owner_engine) == before

    # The director approves that report, and the summary goes, its figures kept.
    approved = district.post(f"{API}{report_id(owner_engine, probuda, 2024)}/approve")
    assert approved.status_code == 200, approved.get_json()
    submitted = _summary_step(district, maglizh, "submit", {"comment": "Всички библиотеки са отчетени"})
    assert submitted.status_code == 200, submitted.get_json()
    check_answer(document, "post", f"{SUMMARY_API}{maglizh}/submit", submitted)
    own = submitted.get_json()["district_summary"]
    stored = stored_summary(owner_engine, maglizh, 2024)
    assert own["status"] == stored["status"] == "submitted" and own["id"] == stored["id"]
    assert own["version"] == stored["version"] and submitted.headers["ETag"] == f'"{stored["version"]}"'
    [kept] = own["editions"]
    assert kept["form"] == "bg-annual-2023" and kept["reports"] == 3
    assert kept["values"]["readers_total"] == 640 + 380 + 295 == stored["values"]["bg-annual-2023"]["values"][
        "readers_total"]
    assert [(h["from"], h["to"], h["comment"]) for h in own["history"]] == [
        (None, "draft", None), ("draft", "submitted", "Всички библиотеки са отчетени")]
    assert own["history"][-1]["user"]["name"] == "Стефка Димова" and own["history"][-1]["at"].endswith("Z")
    assert own["steps"] == [] and own["not_approved"] == []

    # The district does not approve its own summary.
    before = snapshot(owner_engine)
    itself = _summary_step(district, maglizh, "approve")
    assert itself.status_code == 409 and itself.get_json()["problems"] == []
    assert snapshot(owner_engine) == before

    # The region's methodologist returns it: not without a comment.
    seen = methodologist.get(f"{SUMMARY_API}{maglizh}?year=2024").get_json()["district_summary"]
    assert seen["steps"] == ["approve", "return"]
    bare = _summary_step(methodologist, maglizh, "return", {"version": seen["version"]})
    assert bare.status_code == 409 and stored_summary(owner_engine, maglizh, 2024)["status"] == "submitted"
    check_answer(document, "post", f"{SUMMARY_API}{maglizh}/return", bare)
    returned = _summary_step(methodologist, maglizh, "return",
                             {"comment": "Проверете броя на читателите", "version": seen["version"]})
    assert returned.status_code == 200 and returned.get_json()["district_summary"]["status"] == "returned"

    # A step that starts from the version before is refused with the summary as stored now.
    stale = _summary_step(district, maglizh, "submit", {"version": own["version"]})
    assert stale.status_code == 409 and stale.get_json()["result"]["district_summary"]["status"] == "returned"
    check_answer(document, "post", f"{SUMMARY_API}{maglizh}/submit", stale)
    assert stored_summary(owner_engine, maglizh, 2024)["status"] == "returned"
    current = returned.get_json()["district_summary"]["version"]
    assert _summary_step(district, maglizh, "submit", {"version": current}).status_code == 200

    approved = _summary_step(methodologist, maglizh, "approve")
    assert approved.status_code == 200 and approved.get_json()["district_summary"]["status"] == "approved"

    # Reopening is the region's, with a reason.
    region = login(app, "sz.director")
    assert _summary_step(region, maglizh, "reopen").status_code == 409
    assert _summary_step(region, maglizh, "reopen", {"reason": "   "}).status_code == 409
    assert stored_summary(owner_engine, maglizh, 2024)["status"] == "approved"
    reopened = _summary_step(region, maglizh, "reopen", {"reason": "Уточнение на фонда"})
    assert reopened.status_code == 200 and reopened.get_json()["district_summary"]["status"] == "returned"
    assert summary_steps(owner_engine, stored_summary(owner_engine, maglizh, 2024)["id"]) == [
        (None, "draft", None), ("draft", "submitted", "Всички библиотеки са отчетени"),
        ("submitted", "returned", "Проверете броя на читателите"), ("returned", "submitted", None),
        ("submitted", "approved", None), ("approved", "returned", "Уточнение на фонда")]


def test_a_step_of_the_summary_a_role_may_not_take_is_refused(app, owner_engine, maglizh):
    before = snapshot(owner_engine)
    branch = login(app, "maglizh.branch")  # reads her district's summary, takes no step with it
    assert branch.get(f"{SUMMARY_API}{maglizh}?year=2024").get_json()["district_summary"]["steps"] == []
    refused = _summary_step(branch, maglizh, "submit")
    assert refused.status_code == 409 and "Вашата роля не позволява" in refused.get_json()["message"]
    unknown = _summary_step(login(app, "maglizh.director"), maglizh, "submit", {"status": "approved"})
    assert unknown.status_code == 422 and "status" in unknown.get_json()["errors"]
    assert snapshot(owner_engine) == before


def test_a_year_no_summary_can_be_kept_for_is_refused_in_words(app, owner_engine, maglizh):
    """A year outside 1990-2100 is no reporting year: refused before anything is written."""
    before = snapshot(owner_engine)
    director = login(app, "maglizh.director")
    for year in (1000, 2101):
        step = director.post(f"{SUMMARY_API}{maglizh}/submit?year={year}", json={})
        assert step.status_code == 400 and "Изберете отчетна година" in step.get_json()["message"], step.get_json()
        assert director.get(f"{SUMMARY_API}{maglizh}?year={year}").status_code == 400
        page = director.get(f"/stat-summary/{maglizh}?year={year}")
        assert page.status_code == 400 and "Изберете отчетна година" in page.get_data(as_text=True)
    assert snapshot(owner_engine) == before


@pytest.mark.parametrize("username", ["kir.director", "zal.director", "orel.director"])
def test_another_districts_summary_takes_no_step_and_is_as_missing_as_an_unknown_one(
        app, owner_engine, maglizh, username):
    assert _summary_step(login(app, "maglizh.director"), maglizh, "submit").status_code == 200
    client = login(app, username)
    before = snapshot(owner_engine)
    region = tenant_id(owner_engine, "Област Стара Загора")  # no district: no summary of its own
    for step, body in (("submit", None), ("approve", None), ("return", {"comment": "x"}),
                       ("reopen", {"reason": "x"}), ("approve", {"version": 1})):
        missing = _summary_step(client, MISSING, step, body)
        assert missing.status_code == 404
        for pk in (maglizh, region):
            found = _summary_step(client, pk, step, body)
            assert (found.status_code, found.get_json()) == (missing.status_code, missing.get_json()), (pk, step)
    assert snapshot(owner_engine) == before
    assert stored_summary(owner_engine, maglizh, 2024)["status"] == "submitted"
    # Not even its region's director takes a step with the region as if it were a district.
    director = login(app, "sz.director")
    own_region = _summary_step(director, region, "approve")
    missing = _summary_step(director, MISSING, "approve")
    assert own_region.status_code == 404 and own_region.get_json() == missing.get_json()
