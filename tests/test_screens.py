"""What a screen offers and what it tells: buttons only where the user may act on the
row, and a dashboard whose rows and totals say the same thing."""
import re

import pytest
from sqlalchemy import text

from .conftest import snapshot

ZAL = "Залегощенский район"
BORTNOVO = "Бортновская сельская библиотека"
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)


def _ids(engine, sql, **params):
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text(sql), params)}


def _rows(client, path):
    """{row id: what the row offers} of a list page: "show", "edit", "delete", "check"."""
    page = client.get(path).get_data(as_text=True)
    rows = {}
    for row in ROW.findall(page):
        shown = re.search(r"/show/(\d+)", row)
        if shown:
            rows[int(shown[1])] = {word for word, mark in (
                ("show", "/show/"), ("edit", "/edit/"), ("delete", "data-delete="),
                ("check", 'class="action_check"')) if mark in row}
    return rows, page


def _library(engine, name=BORTNOVO):
    return _ids(engine, "SELECT id FROM library WHERE name = :n", n=name).pop()


OWN = "SELECT id FROM {} WHERE library_id = :lib"
DISTRICT = "SELECT x.id FROM {} x JOIN tenant t ON t.id = x.tenant_id WHERE t.name = :t"


@pytest.mark.parametrize("view, table", [("clubview", "club"), ("outreachview", "outreach"),
                                         ("contestentryview", "contest_entry")])
def test_branch_staff_see_edit_and_delete_only_on_their_librarys_rows(as_user, owner_engine, view, table):
    library = _library(owner_engine)
    own = _ids(owner_engine, OWN.format(table), lib=library)
    district = _ids(owner_engine, DISTRICT.format(table), t=ZAL)
    assert own and district - own  # the district's other libraries have rows too
    rows, page = _rows(as_user("zal.branch"), f"/{view}/list/?psize_{view[:-4].title()}View=100")
    assert set(rows) == district  # every row of the district is listed, to be read
    offered = {pk for pk, offers in rows.items() if {"edit", "delete", "check"} & offers}
    assert offered == own, (offered, own)
    assert all(offers == {"show", "edit", "delete", "check"} for pk, offers in rows.items() if pk in own)


def test_branch_staff_edit_only_their_own_library_and_delete_none(as_user, owner_engine):
    rows, page = _rows(as_user("zal.branch"), "/libraryview/list/?psize_LibraryView=100")
    assert len(rows) == 12
    assert {pk for pk, offers in rows.items() if "edit" in offers} == {_library(owner_engine)}
    assert not any({"delete", "check"} & offers for offers in rows.values())
    assert "action_check_all" not in page


def test_a_director_may_act_on_every_row_of_the_district(as_user, owner_engine):
    rows, page = _rows(as_user("zal.director"), "/clubview/list/?psize_ClubView=100")
    assert set(rows) == _ids(owner_engine, DISTRICT.format("club"), t=ZAL)
    assert all(offers == {"show", "edit", "delete", "check"} for offers in rows.values())
    assert "action_check_all" in page and "muldelete_menu_item" in page


def test_no_checkboxes_and_no_actions_menu_where_no_row_may_be_acted_on(as_user, owner_engine):
    client = as_user("zal.branch")
    other = _library(owner_engine, "Межпоселенческая районная библиотека")
    rows, page = _rows(client, f"/clubview/list/?_flt_0_library={other}")
    assert rows and all(offers == {"show"} for offers in rows.values())
    assert "action_check_all" not in page and "muldelete_menu_item" not in page
    rows, page = _rows(client, f"/clubview/list/?_flt_0_library={_library(owner_engine)}")
    assert rows and "action_check_all" in page and "muldelete_menu_item" in page


@pytest.mark.parametrize("username, region", [("maglizh.director", "Област Стара Загора"),
                                              ("kir.director", "Иркутская область")])
def test_a_district_user_may_not_act_on_the_regions_contests(as_user, owner_engine, username, region):
    """A district reads its region's contests (to enter them), but does not own them."""
    contests = _ids(owner_engine, "SELECT c.id FROM contest c JOIN tenant t ON t.id = c.tenant_id "
                                  "WHERE t.name = :t", t=region)
    rows, page = _rows(as_user(username), "/contestview/list/?psize_ContestView=100")
    assert contests and contests <= set(rows)
    assert all(rows[pk] == {"show"} for pk in contests)
    assert "action_check_all" not in page and "muldelete_menu_item" not in page


def _show(client, view, pk):
    response = client.get(f"/{view}/show/{pk}?_l_=ru")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {word for word, mark in (("edit", f"/{view}/edit/{pk}"), ("delete", f"/{view}/delete/{pk}"))
            if mark in page}


def test_the_show_page_offers_edit_and_delete_only_where_allowed(as_user, owner_engine):
    client, library = as_user("zal.branch"), _library(owner_engine)
    own = min(_ids(owner_engine, OWN.format("club"), lib=library))
    other = min(_ids(owner_engine, DISTRICT.format("club"), t=ZAL) - {own})
    assert _show(client, "clubview", own) == {"edit", "delete"}
    assert _show(client, "clubview", other) == set()
    assert _show(client, "libraryview", library) == {"edit"}  # its contacts; no delete
    assert _show(client, "libraryview", _library(owner_engine, "Межпоселенческая районная библиотека")) == set()
    assert _show(as_user("zal.director"), "clubview", other) == {"edit", "delete"}
    page = client.get(f"/clubview/show/{own}?_l_=ru").get_data(as_text=True)
    assert "Редактировать<" in page and "Удалить<" in page  # labelled, not bare icons


def test_a_judged_entry_offers_branch_staff_neither_edit_nor_delete(as_user, owner_engine):
    director, branch, library = as_user("zal.director"), as_user("zal.branch"), _library(owner_engine)
    contest = min(_ids(owner_engine, DISTRICT.format("contest"), t=ZAL))
    response = director.post("/contestentryview/add", data={
        "contest": contest, "library": library, "title": "Оценённая заявка", "result": "first_place"})
    assert response.status_code == 302, response.get_data(as_text=True)
    judged = _ids(owner_engine, "SELECT id FROM contest_entry WHERE title = 'Оценённая заявка'").pop()
    try:
        assert _show(branch, "contestentryview", judged) == set()
        rows, _page = _rows(branch, "/contestentryview/list/?psize_ContestEntryView=100")
        assert rows[judged] == {"show"}
        assert _show(director, "contestentryview", judged) == {"edit", "delete"}
    finally:
        director.post(f"/contestentryview/delete/{judged}")
    assert not _ids(owner_engine, "SELECT id FROM contest_entry WHERE title = 'Оценённая заявка'")


def test_a_role_that_may_set_no_field_of_a_record_is_offered_no_edit(as_user, owner_engine, monkeypatch):
    from app.security import roles

    rules = roles.fields_rules()
    monkeypatch.setitem(rules, roles.BRANCH, {**rules[roles.BRANCH], "club": ()})
    client, library = as_user("zal.branch"), _library(owner_engine)
    own = min(_ids(owner_engine, OWN.format("club"), lib=library))
    rows, _page = _rows(client, "/clubview/list/?psize_ClubView=100")
    assert rows[own] == {"show", "delete", "check"}
    assert _show(client, "clubview", own) == {"delete"}


def test_deleting_from_the_show_page_returns_to_the_list(as_user, owner_engine):
    client, library = as_user("zal.branch"), _library(owner_engine)
    response = client.post("/clubview/add", data={
        "name": "Клуб на удаление", "library": library, "audience": "adults", "members": "3", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    pk = _ids(owner_engine, "SELECT id FROM club WHERE name = 'Клуб на удаление'").pop()
    client.get("/clubview/list/")
    client.get(f"/clubview/show/{pk}")
    response = client.post(f"/clubview/delete/{pk}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/clubview/list/")
    assert not _ids(owner_engine, "SELECT id FROM club WHERE name = 'Клуб на удаление'")


# -- the dashboard -------------------------------------------------------------------

def _contests_sheet(client, path="/dashboard/xlsx"):
    from .test_reports import _dashboard

    sheets = _dashboard(client, path)
    return next(table for title, table in sheets.items() if title.startswith("Конкурсы"))


def test_a_districts_contest_rows_and_total_agree(as_user, owner_engine):
    """A library holds no contest: its row shows its entries and results, the district's own
    row the contests it held, and each total is the sum of the rows above it."""
    held = _ids(owner_engine, DISTRICT.format("contest") + " AND x.year = 2020", t=ZAL)
    client = as_user("zal.director")
    table = _contests_sheet(client)
    own = table.pop(f"{ZAL}, районный уровень")
    total = table.pop("Итого")
    assert len(table) == 12  # the libraries
    assert own["Проведено конкурсов"] == total["Проведено конкурсов"] == len(held) == 3
    assert all(row["Проведено конкурсов"] is None for row in table.values())  # not a 0 that misleads
    for heading, value in total.items():
        assert value == sum(row[heading] or 0 for row in [own, *table.values()]), heading
    assert total["Заявки"] == 9 and table[BORTNOVO]["Заявки"] == 1

    from .test_i18n import visible_text
    page = " ".join(visible_text(client.get("/?_l_=ru").get_data(as_text=True)).split())
    assert f"{BORTNOVO} — 1 0 0 0 0" in page  # held: not applicable; one entry, no place
    assert f"{ZAL}, районный уровень 3 — — — — —" in page
    assert "Конкурсы проводит район или область" in page


def test_a_regions_contest_rows_and_total_agree(as_user):
    table = _contests_sheet(as_user("sz.director"))
    total = table.pop("Итого")
    for heading, value in total.items():
        assert value == sum(row[heading] or 0 for row in table.values()), heading
    assert table["Област Стара Загора, областной уровень"]["Проведено конкурсов"] == 1
    assert total["Заявки"] == 4  # one from each district


def test_the_reporting_year_is_the_latest_with_figures(as_user, owner_engine):
    """Not the calendar year, and not the year of a region's contest nobody on the page
    entered: Залегощенский район's figures are of 2020 until it takes part in another."""
    from .test_i18n import visible_text

    director = as_user("orel.director")
    response = director.post("/contestview/add", data={
        "title": "Конкурс без заявок", "level": "regional", "year": "2024",
        "tenant": _ids(owner_engine, "SELECT id FROM tenant WHERE name = 'Орловская область'").pop()})
    assert response.status_code == 302, response.get_data(as_text=True)
    contest = _ids(owner_engine, "SELECT id FROM contest WHERE title = 'Конкурс без заявок'").pop()
    try:
        zal = as_user("zal.director")
        page = zal.get("/?_l_=ru").get_data(as_text=True)
        assert "Конкурсы 2020 года" in visible_text(page)
        assert "?year=2024" not in page
        region = visible_text(director.get("/?_l_=ru").get_data(as_text=True))
        assert "Конкурсы 2024 года" in region  # the region held one that year
    finally:
        director.post(f"/contestview/delete/{contest}")
    assert not _ids(owner_engine, "SELECT id FROM contest WHERE title = 'Конкурс без заявок'")


def test_the_contest_years_are_separate_links(as_user):
    page = as_user("admin").get("/?_l_=ru").get_data(as_text=True)
    years = re.search(r'<nav class="report-years[^>]*>(.*?)</nav>', page, re.S)[1]
    items = re.findall(r"<li[^>]*>(.*?)</li>", years, re.S)
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in items] == ["2020", "2021"]
    assert 'aria-current="true">2021<' in years and 'href="?year=2020"' in years


def test_every_chart_shows_every_category_zeros_included(as_user):
    """One rule for all charts: a category with nothing has its bar too (and its zero)."""
    from app.choices import Audience, OutreachKind

    page = as_user("maglizh.director").get("/?_l_=bg").get_data(as_text=True)
    charts = dict(re.findall(r"<figcaption>(.*?)</figcaption>\s*(<svg.*?</svg>)", page, re.S))
    bars = {title: svg.count("<rect") for title, svg in charts.items()}
    assert bars["Членове на клубовете по аудитория"] == len(Audience), bars
    assert bars["Читатели на извънбиблиотечното обслужване"] == len(OutreachKind), bars
    assert ">0</text>" in charts["Членове на клубовете по аудитория"]
