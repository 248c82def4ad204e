"""A district director keeps the district's records through the screens and the API."""
import re

import pytest

from .conftest import record_apis, snapshot

RESOURCES = record_apis()


def text_of(response):
    return response.get_data(as_text=True)


def find_id(client, resource, **where):
    """The id of the first row of a REST list that matches `where`."""
    for row in client.get(f"/api/v1/{resource}/?q=(page_size:100)").get_json()["result"]:
        if all(row.get(k) == v for k, v in where.items()):
            return row["id"]
    raise AssertionError(f"no {resource} with {where}")


@pytest.mark.parametrize("resource", RESOURCES)
def test_director_opens_every_list(as_user, resource):
    from app.records import record_types

    client = as_user("zal.director")
    column, direction = record_types()[resource].view.base_order  # the screen's first row
    first = client.get(f"/api/v1/{resource}/?page_size=1&order_by={column}&order_direction={direction}"
                       ).get_json()["result"][0]["id"]
    view = resource.replace("_", "")
    response = client.get(f"/{view}view/list/?_l_=ru")
    assert response.status_code == 200
    assert f"/{view}view/show/{first}" in text_of(response)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", ["zal.methodologist", "zal.branch", "admin"])
def test_a_longer_page_costs_no_more_queries(app, as_user, resource, username):
    """Five rows or a hundred: the same statements, each relation a list shows loaded
    once for the whole page (a query per row would grow with the page)."""
    from app.security.roles import ADMIN, BRANCH, METHODOLOGIST, may

    from .test_reports import _statements

    role = {"zal.methodologist": METHODOLOGIST, "zal.branch": BRANCH, "admin": ADMIN}[username]
    if not may(role, resource, "r"):
        pytest.skip(f"{username} does not read {resource} (the role table)")
    client, view, name = as_user(username), resource.replace("_", ""), resource.title().replace("_", "")
    short, long = (f"/{view}view/list/?psize_{name}View=5", f"/{view}view/list/?psize_{name}View=100")
    rows = [text_of(client.get(url)).count(f"/{view}view/show/") for url in (short, long)]
    assert rows[0] < rows[1] or rows[1] <= 5, rows  # the demo has more rows than the short page
    assert _statements(app, client, short) == _statements(app, client, long)
    api = f"/api/v1/{resource}/?q=(page_size:%d)"
    assert _statements(app, client, api % 5) == _statements(app, client, api % 100)


def test_director_sees_the_district_libraries(as_user):
    page = text_of(as_user("zal.director").get("/libraryview/list/?psize_LibraryView=100"))
    assert "Межпоселенческая районная библиотека" in page
    assert "Центральная детская библиотека" in page


def test_director_adds_and_edits_a_club(as_user):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    response = client.post("/clubview/add", data={
        "name": "Клуб любителей сказок", "library": library, "audience": "children",
        "founded_year": "2019", "members": "12", "active": "y"})
    assert response.status_code == 302
    club = find_id(client, "club", name="Клуб любителей сказок")
    assert client.get(f"/api/v1/club/{club}").get_json()["result"]["members"] == 12
    response = client.post(f"/clubview/edit/{club}", data={
        "name": "Клуб любителей сказок", "library": library, "audience": "children",
        "founded_year": "2019", "members": "14", "active": "y"})
    assert response.status_code == 302
    assert client.get(f"/api/v1/club/{club}").get_json()["result"]["members"] == 14
    assert client.delete(f"/api/v1/club/{club}").status_code == 200


def test_an_entry_not_judged_yet_stays_unjudged_when_its_form_is_saved(as_user):
    client = as_user("zal.director")
    entries = client.get("/api/v1/contest_entry/?q=(page_size:100)").get_json()["result"]
    entry = next(e for e in entries if e["result"] is None)
    form = text_of(client.get(f"/contestentryview/edit/{entry['id']}"))
    result = re.search(r'<select[^>]*id="result".*?</select>', form, re.S)[0]
    assert re.search(r'<option selected value="">', result), result  # not the first place
    assert not re.search(r'<option selected value="[a-z]', result)
    version = re.search(r'id="version"[^>]*value="(\d+)"', form) or re.search(r'value="(\d+)"[^>]*id="version"', form)
    response = client.post(f"/contestentryview/edit/{entry['id']}", data={
        "title": entry["title"], "contest": entry["contest"]["id"], "library": entry["library"]["id"],
        "submitted_on": entry["submitted_on"] or "", "nomination": "Новая номинация", "result": "",
        "version": version[1]})
    assert response.status_code == 302
    saved = client.get(f"/api/v1/contest_entry/{entry['id']}").get_json()["result"]
    assert (saved["nomination"], saved["result"]) == ("Новая номинация", None)


def test_deleting_a_library_with_staff_is_refused_with_a_reason(as_user, owner_engine):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Межпоселенческая районная библиотека")
    before = snapshot(owner_engine)
    page = text_of(client.get(f"/libraryview/delete/{library}", follow_redirects=True))
    assert "Cannot delete" in page or "Нельзя удалить" in page
    assert re.search(r"\d+ (staff|сотрудник)", page)
    response = client.delete(f"/api/v1/library/{library}")
    assert response.status_code == 409
    assert snapshot(owner_engine) == before


@pytest.mark.parametrize("field, value", [
    ("founded_year", "2999"), ("members", "-3"), ("name", ""), ("name", "x" * 300),
])
def test_invalid_club_input_gets_a_field_error_and_saves_nothing(as_user, owner_engine, field, value):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    data = {"name": "Клуб проверки", "library": library, "audience": "children", "members": "1"}
    data[field] = value
    before = snapshot(owner_engine)
    response = client.post("/clubview/add?_l_=en", data=data)
    assert response.status_code == 200  # the form again, with what was typed
    page = text_of(response)
    assert 'class="help-block"' in page or "has-error" in page
    assert snapshot(owner_engine) == before


def test_a_club_name_is_unique_within_its_library(as_user, owner_engine):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Межпоселенческая районная библиотека")
    before = snapshot(owner_engine)
    response = client.post("/clubview/add?_l_=en", data={
        "name": "Неугасимая лампада", "library": library, "audience": "youth", "members": "3"})
    assert response.status_code == 200 and "Already exists" in text_of(response)
    response = client.post("/api/v1/club/", json={
        "name": "Неугасимая лампада", "library": library, "audience": "youth", "members": 3})
    assert response.status_code == 422 and "name" in response.get_json()["errors"]
    assert snapshot(owner_engine) == before


@pytest.mark.parametrize("resource", RESOURCES)
def test_rest_list_of_every_resource_answers(as_user, resource):
    response = as_user("zal.director").get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    assert response.get_json()["count"] >= 1


def test_openapi_lists_all_seven_resources(as_user):
    spec = as_user("zal.director").get("/api/v1/_openapi").get_json()
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in spec["paths"]


@pytest.mark.parametrize("payload", [
    {"members": "many"}, {"audience": "aliens"}, {"library": 987654}, {"library": "x"},
    {"founded_year": 3000}, {"name": None}, {"name": "x" * 300}, {"members": 10**12},
])
def test_bad_json_gets_422_and_creates_nothing(as_user, owner_engine, payload):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    body = {"name": "Клуб из API", "library": library, "audience": "youth", "members": 1, **payload}
    before = snapshot(owner_engine)
    response = client.post("/api/v1/club/", json=body)
    assert response.status_code in (400, 422)
    assert snapshot(owner_engine) == before


def test_a_director_sets_her_districts_time_zone_through_the_api(as_user, owner_engine):
    """As on the screen: one of the listed zones, and an unknown one refused by name."""
    from .conftest import put_current

    client = as_user("kir.director")
    district = find_id(client, "tenant", name="Киренский район")
    url = f"/api/v1/tenant/{district}"
    assert client.get(url).get_json()["result"]["time_zone"] == "Asia/Irkutsk"
    before = snapshot(owner_engine)
    refused = put_current(client, url + "?_l_=ru", {"time_zone": "Asia/Tokyo"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["time_zone"][0].startswith("Выберите одно из значений: Europe/Kaliningrad")
    assert snapshot(owner_engine) == before
    try:
        assert put_current(client, url, {"time_zone": "Asia/Yakutsk"}).get_json()["result"]["time_zone"] == "Asia/Yakutsk"
    finally:
        assert put_current(client, url, {"time_zone": "Asia/Irkutsk"}).status_code == 200
