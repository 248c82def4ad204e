"""The month's plan of events as a district and its region read it: day by day, with
what was planned, held and cancelled; a region's month by district; a foreign district
or library as missing as an unknown one."""
import re

import pytest

from .conftest import login
from .test_events import _one
from .test_i18n import visible_text

MONTH = "2019-03"  # a month of the past no demo event falls in


@pytest.fixture
def march(app, owner_engine):
    """Three events of zal.branch's library in March 2019 (two held, one cancelled) and
    one of the district's central library."""
    library = _one(owner_engine, "SELECT library_id FROM ab_user WHERE username = 'zal.branch'")
    central = _one(owner_engine, "SELECT id FROM library WHERE name = 'Межпоселенческая районная библиотека'")
    director = login(app, "zal.director")
    made = []
    for title, lib, day, status, attendance in (
            ("Вечер поэзии «Весна в Бортном»", library, "2019-03-05", "held", 30),
            ("Час краеведения", library, "2019-03-05", "held", 12),
            ("Громкие чтения", library, "2019-03-20", "cancelled", None),
            ("Выставка «Женщины-писательницы»", central, "2019-03-08", "held", 45)):
        response = director.post("/api/v1/event/", json={
            "title": title, "library": lib, "held_on": day, "form": "other", "format": "on_site",
            "status": status, "attendance": attendance})
        assert response.status_code == 201, response.get_json()
        made.append(response.get_json()["id"])
    yield library, central
    for pk in made:
        director.delete(f"/api/v1/event/{pk}")


def _text(response):
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", visible_text(response.get_data(as_text=True)))


@pytest.mark.parametrize("lang, words", [
    ("ru", ["План мероприятий на март 2019", "4 мероприятия (проведено: 3, отменено: 1); посетителей: 87",
            "05.03.2019", "Вечер поэзии «Весна в Бортном»", "Бортновская сельская библиотека"]),
    ("bg", ["План на културните прояви за март 2019", "4 прояви (проведени: 3, отменени: 1); посетители: 87",
            "Вечер поэзии «Весна в Бортном»"]),
])
def test_a_district_reads_its_month_day_by_day(app, march, lang, words):
    page = _text(login(app, "zal.director").get(f"/event-plan/?month={MONTH}&_l_={lang}"))
    for phrase in words:
        assert phrase in page, phrase
    # The day's two events under one date, in the order they come.
    assert page.index("Вечер поэзии") < page.index("Час краеведения") < page.index("Выставка") \
        < page.index("Громкие чтения")


def test_the_plan_narrows_to_one_library_and_a_foreign_one_is_missing(app, owner_engine, march):
    library, central = march
    director = login(app, "zal.director")
    page = _text(director.get(f"/event-plan/?month={MONTH}&library={library}&_l_=ru"))
    assert "3 мероприятия" in page and "Выставка «Женщины-писательницы»" not in page
    foreign = _one(owner_engine, "SELECT id FROM library WHERE name LIKE 'Библиотека при НЧ%' LIMIT 1")
    responses = [director.get(f"/event-plan/?month={MONTH}&library={pk}") for pk in (foreign, 99999999, "x")]
    assert [r.status_code for r in responses] == [404, 404, 404]
    unsigned = [re.sub(r'nonce="[^"]*"', "", r.get_data(as_text=True)) for r in responses[:2]]
    assert unsigned[0] == unsigned[1]


def test_a_region_reads_its_month_by_district(app, owner_engine, march):
    orel = _one(owner_engine, "SELECT id FROM tenant WHERE name = 'Орловская область'")
    page = _text(login(app, "orel.methodologist").get(f"/event-plan/{orel}?month={MONTH}&_l_=ru"))
    row = re.search(r"Залегощенский район ([\d ]+?) Итого", page)
    assert row, page[-800:]
    # events, planned, held, cancelled, attendance
    assert row[1].split() == ["4", "0", "3", "1", "87"]
    # Another region's director does not read it, as if it did not exist.
    stranger = login(app, "sz.director")
    assert stranger.get(f"/event-plan/{orel}?month={MONTH}").status_code == 404


def test_admin_reads_any_regions_and_districts_month(app, owner_engine, march):
    """Admin has no place in the network: the page of a region or a district opens all the same."""
    orel = _one(owner_engine, "SELECT id FROM tenant WHERE name = 'Орловская область'")
    zal = _one(owner_engine, "SELECT id FROM tenant WHERE name = 'Залегощенский район'")
    admin = login(app, "admin")
    assert "Залегощенский район" in _text(admin.get(f"/event-plan/{orel}?month={MONTH}&_l_=ru"))
    assert "Вечер поэзии «Весна в Бортном»" in _text(admin.get(f"/event-plan/{zal}?month={MONTH}&_l_=ru"))


def test_a_month_that_is_not_one_is_refused_in_the_users_words(app):
    director = login(app, "zal.director")
    for month, phrase in (("2019-13", "Укажите месяц"), ("март", "Укажите месяц")):
        response = director.get(f"/event-plan/?month={month}&_l_=ru")
        assert response.status_code == 400 and phrase in visible_text(response.get_data(as_text=True))


def test_who_may_add_an_event_finds_the_button_there(app):
    for username, shown in (("zal.branch", True), ("zal.viewer", False)):
        page = login(app, username).get(f"/event-plan/?month={MONTH}").get_data(as_text=True)
        assert ('href="/eventview/add"' in page) is shown, username


def test_the_dashboard_counts_this_years_events_by_library(app, owner_engine):
    import datetime

    from sqlalchemy import text

    from .test_reports import _dashboard

    year = datetime.date.today().year
    with owner_engine.connect() as conn:
        held = {name: (n, people) for name, n, people in conn.execute(text(
            "SELECT l.name, count(*), sum(e.attendance) FROM event e JOIN library l ON l.id = e.library_id "
            "JOIN tenant t ON t.id = e.tenant_id WHERE t.name = 'Залегощенский район' AND e.status = 'held' "
            "AND e.held_on BETWEEN :a AND :b GROUP BY l.name"),
            {"a": datetime.date(year, 1, 1), "b": datetime.date(year, 12, 31)})}
    assert held  # the demo holds events of this year
    table = _dashboard(login(app, "zal.director"))[f"Мероприятия {year} года"]
    for name, (n, people) in held.items():
        assert (table[name]["Проведено"], table[name]["Посетители"]) == (n, people), name
    assert table["Итого"]["Проведено"] == sum(n for n, _ in held.values())
