"""The events journal as its users keep it: a branch librarian plans an event and then
records it held with its attendance; the district and the region read it, another
district does not; a wrong figure is refused by name and saves nothing."""
import datetime

import pytest
from sqlalchemy import text

from .conftest import login, put_current, snapshot


def _one(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


@pytest.fixture
def bortnoye(owner_engine):
    """zal.branch's library and its club."""
    library = _one(owner_engine, "SELECT library_id FROM ab_user WHERE username = 'zal.branch'")
    club = _one(owner_engine, "SELECT id FROM club WHERE library_id = :l", l=library)
    return library, club


def test_a_branch_librarian_plans_an_event_and_then_records_it_held(app, owner_engine, bortnoye):
    library, club = bortnoye
    branch = login(app, "zal.branch")
    ahead = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    planned = branch.post("/api/v1/event/", json={
        "title": "Час краеведения «Бортное в годы войны»", "library": library, "club": club,
        "held_on": ahead, "starts_at": "14:00", "form": "lecture", "theme": "local_history",
        "format": "on_site", "audience": "adults"})
    assert planned.status_code == 201, planned.get_json()
    event = planned.get_json()["id"]
    assert planned.get_json()["result"]["status"] == "planned"
    assert planned.get_json()["result"]["attendance"] is None  # not counted yet: not 0

    # Held: today, with who came.
    today = datetime.date.today().isoformat()
    held = put_current(branch, f"/api/v1/event/{event}", {
        "held_on": today, "status": "held", "attendance": 23, "children": 4, "youth": 6})
    assert held.status_code == 200, held.get_json()
    assert held.get_json()["result"]["attendance"] == 23

    # The district and its region read it; another district's director does not.
    for username in ("zal.director", "orel.methodologist", "zal.viewer"):
        assert login(app, username).get(f"/api/v1/event/{event}").status_code == 200, username
    stranger = login(app, "maglizh.director")
    missing = stranger.get("/api/v1/event/99999999")
    foreign = stranger.get(f"/api/v1/event/{event}")
    assert (foreign.status_code, foreign.get_json()) == (missing.status_code, missing.get_json()) \
        and foreign.status_code == 404
    page = stranger.get("/eventview/list/?_flt_0_title=Бортное").get_data(as_text=True)
    assert "Бортное в годы войны" not in page

    # The district sees it on its list, in its own words.
    page = login(app, "zal.director").get("/eventview/list/?_l_=ru&psize_EventView=100").get_data(as_text=True)
    assert "Бортное в годы войны" in page and "Проведено" in page and "Мероприятия" in page
    assert login(app, "zal.branch").delete(f"/api/v1/event/{event}").status_code == 200


@pytest.mark.parametrize("change,field,message", [
    ({"status": "held", "held_on": "2099-05-01", "attendance": 10}, "held_on",
     "Мероприятие ещё не наступило"),
    ({"status": "held", "attendance": None}, "attendance", "Укажите, сколько человек пришло"),
    ({"status": "held", "attendance": 10, "children": 8, "youth": 5}, "attendance",
     "Дети и молодёжь вместе не могут превышать"),
    ({"starts_at": "25:00"}, "starts_at", "Введите время в виде 18:30."),
    ({"attendance": -1}, "attendance", None),
])
def test_a_wrong_figure_is_refused_by_name_and_saves_nothing(app, owner_engine, bortnoye, change, field, message):
    library, _club = bortnoye
    branch = login(app, "zal.branch")
    body = {"title": "Громкие чтения", "library": library, "held_on": "2020-03-03", "form": "marathon",
            "format": "on_site", **change}
    before = snapshot(owner_engine)
    response = branch.post("/api/v1/event/?_l_=ru", json=body)
    assert response.status_code in (400, 422), response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors, errors
    if message:
        assert any(message in text for text in errors[field]), errors
    assert snapshot(owner_engine) == before


def test_a_club_of_another_library_is_refused(app, owner_engine, bortnoye):
    library, _club = bortnoye
    other_club = _one(owner_engine, "SELECT c.id FROM club c JOIN tenant t ON t.id = c.tenant_id "
                                    "WHERE t.name = 'Залегощенский район' AND c.library_id <> :l", l=library)
    director = login(app, "zal.director")
    before = snapshot(owner_engine)
    response = director.post("/api/v1/event/?_l_=bg", json={
        "title": "Викторина", "library": library, "club": other_club, "held_on": "2020-03-03",
        "form": "quiz", "format": "on_site"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["club"] == ["Изберете запис на библиотеката, която провежда проявата."]
    assert snapshot(owner_engine) == before


def test_branch_staff_keep_only_their_own_librarys_events(app, owner_engine, bortnoye):
    library, _club = bortnoye
    with owner_engine.connect() as conn:
        theirs, sibling = conn.execute(text(
            "SELECT id, library_id FROM event WHERE tenant_id = (SELECT tenant_id FROM library WHERE id = :l) "
            "AND library_id <> :l ORDER BY id"), {"l": library}).first()
    branch = login(app, "zal.branch")
    before = snapshot(owner_engine)
    assert branch.get(f"/api/v1/event/{theirs}").status_code == 200  # the district's events are read
    assert put_current(branch, f"/api/v1/event/{theirs}", {"title": "Чужое"}).status_code == 403
    assert branch.delete(f"/api/v1/event/{theirs}").status_code == 403
    added = branch.post("/api/v1/event/", json={"title": "Чужое", "library": sibling, "held_on": "2020-03-03",
                                                "form": "quiz", "format": "on_site"})
    assert added.status_code == 403
    assert snapshot(owner_engine) == before


@pytest.mark.parametrize("locale,words", [
    ("ru", ["Работа", "Мероприятия", "Дата", "Форма", "Посетители", "Из них дети (до 14 лет)"]),
    ("bg", ["Дейност", "Културни прояви", "Дата", "Форма", "Посетители", "От тях деца (до 14 г.)"]),
])
def test_the_event_form_reads_in_the_users_language(app, locale, words):
    page = login(app, "maglizh.branch").get(f"/eventview/add?_l_={locale}").get_data(as_text=True)
    for word in words:
        assert word in page, word


def test_the_library_card_lists_its_events(app, owner_engine, bortnoye):
    central = _one(owner_engine, "SELECT id FROM library WHERE name = 'Межпоселенческая районная библиотека'")
    page = login(app, "zal.director").get(f"/libraryview/show/{central}?_l_=ru").get_data(as_text=True)
    assert "Праздник Орловской книги" in page
