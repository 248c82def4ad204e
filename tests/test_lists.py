"""What every record list offers: a quick search box, its active filters as chips, a
labelled add button, totals where they mean something; the export follows the search."""
import csv
import io
import re

import pytest
from sqlalchemy import text

from app.views.base import RecordView

ZAL = "Залегощенский район"


def _rows(html: str, view: str) -> int:
    return len(set(re.findall(rf"/{view}/show/(\d+)", html)))


def test_the_quick_search_looks_in_the_lists_text_columns_whatever_the_case(as_user):
    client = as_user("zal.director")
    every = _rows(client.get("/clubview/list/").get_data(as_text=True), "clubview")
    found = client.get("/clubview/list/?q=ЧИТ").get_data(as_text=True)
    assert 0 < _rows(found, "clubview") < every
    assert "Читающая семья" in found and "Ветеран" not in found
    assert _rows(client.get("/staffview/list/?q=климова").get_data(as_text=True), "staffview") == 1
    assert 'id="quick-search"' in found and 'value="ЧИТ"' in found


def test_every_record_list_has_the_box_and_a_labelled_add_button(app, as_user):
    client = as_user("admin")
    views = [v for v in app.appbuilder.baseviews if isinstance(v, RecordView)]
    assert len(views) >= 7
    for view in views:
        html = client.get(f"/{type(view).__name__.lower()}/list/").get_data(as_text=True)
        # A record with no text of its own (a district's summary: a year, a district, a status)
        # is found with the filters.
        assert ('name="q"' in html) == bool(view.quick_search_columns), type(view).__name__
        add = re.search(r'<a href="[^"]*/add[^"]*" class="btn btn-sm btn-primary">(.*?)</a>', html, re.S)
        if "can_add" not in view.base_permissions:  # written by its workflow only (a report's history)
            assert add is None, type(view).__name__
            continue
        assert add and re.search(r"Добав\w+ \w+", add.group(1)), type(view).__name__  # not a bare "+"


def test_the_quick_search_finds_nothing_outside_the_scope(as_user, owner_engine):
    with owner_engine.connect() as conn:
        foreign = conn.scalar(text(
            "SELECT c.name FROM club c JOIN tenant t ON t.id = c.tenant_id WHERE t.name <> :z AND c.name NOT IN "
            "(SELECT o.name FROM club o JOIN tenant z ON z.id = o.tenant_id WHERE z.name = :z) ORDER BY c.id"),
            {"z": ZAL})
    html = as_user("zal.director").get(f"/clubview/list/?q={foreign}").get_data(as_text=True)
    assert _rows(html, "clubview") == 0 and foreign in html  # only in the box, never as a row


def test_the_export_follows_the_quick_search(as_user):
    body = as_user("zal.director").get("/clubview/export/csv?q=читающая").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["Читающая семья"]


@pytest.mark.parametrize("lang, said", [("ru", "Название начинается с «Чит»"),
                                        ("bg", "Наименование започва с «Чит»")])
def test_active_filters_are_chips_that_remove_themselves(as_user, lang, said):
    client = as_user("zal.director")
    html = client.get(f"/clubview/list/?_flt_0_name=Чит&q=семья&_l_={lang}").get_data(as_text=True)
    chips = re.search(r'<ul class="filter-chips.*?</ul>', html, re.S).group(0)
    assert said in chips and "«семья»" in chips
    removals = re.findall(r'<a href="([^"]+)" aria-label', chips)
    assert any("q=" in link and "_flt_0_name" not in link for link in removals)
    assert any("_flt_0_name" in link and "q=" not in link for link in removals)


def test_totals_sum_every_row_of_the_list_not_one_page(as_user, owner_engine):
    with owner_engine.connect() as conn:
        members = conn.scalar(text("SELECT sum(members) FROM club c JOIN tenant t ON t.id = c.tenant_id "
                                   "WHERE t.name = :z"), {"z": ZAL})
    client = as_user("zal.director")
    html = client.get("/clubview/list/?psize_ClubView=5").get_data(as_text=True)
    total = re.search(r'class="list-totals">.*?<strong>(\d+)</strong>', html, re.S)
    assert total and int(total.group(1)) == members
    filtered = client.get("/clubview/list/?q=читающая").get_data(as_text=True)
    assert re.search(r'class="list-totals">.*?<strong>(\d+)</strong>', filtered, re.S).group(1) == "7"


# -- record cards ---------------------------------------------------------------------

def _library(client, name):
    html = client.get(f"/libraryview/list/?q={name}").get_data(as_text=True)
    return re.findall(r"/libraryview/show/(\d+)", html)[0]


def test_a_librarys_card_shows_where_it_is_and_what_belongs_to_it(as_user, owner_engine):
    client = as_user("zal.director")
    library = _library(client, "Бортновская")
    html = client.get(f"/libraryview/show/{library}").get_data(as_text=True)
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r">([^<>]+)</(?:a|li)>", crumbs) == [
        "Орловская область", "Залегощенский район", "Бортновская сельская библиотека"]
    with owner_engine.connect() as conn:
        clubs = conn.scalars(text("SELECT name FROM club WHERE library_id = :l"), {"l": library}).all()
    assert clubs and all(name in html for name in clubs)
    for view in ("staffview", "clubview", "outreachview", "contestentryview"):
        assert f'href="/{view}/add?_flt_0_library={library}"' in html, view


def test_adding_from_a_card_sets_its_library_and_returns_to_it(as_user, owner_engine):
    client = as_user("zal.director")
    library = _library(client, "Бортновская")
    client.get(f"/libraryview/show/{library}")  # the card, where the add button is
    client.get(f"/clubview/add?_flt_0_library={library}")
    answer = client.post(f"/clubview/add?_flt_0_library={library}", data={
        "name": "Клуб с карточки", "audience": "adults", "members": "4", "active": "y"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/libraryview/show/{library}")
    with owner_engine.connect() as conn:
        assert conn.scalar(text("SELECT library_id FROM club WHERE name = 'Клуб с карточки'")) == int(library)
        conn.execute(text("DELETE FROM club WHERE name = 'Клуб с карточки'"))
        conn.commit()


def test_a_card_of_another_district_is_not_found(as_user, owner_engine):
    with owner_engine.connect() as conn:
        foreign = conn.scalar(text("SELECT l.id FROM library l JOIN tenant t ON t.id = l.tenant_id "
                                   "WHERE t.name <> :z ORDER BY l.id"), {"z": ZAL})
    client = as_user("zal.director")
    assert client.get(f"/libraryview/show/{foreign}").status_code == 404
    # a card's add link with another district's library adds nothing there
    before = _count(owner_engine)
    client.post(f"/clubview/add?_flt_0_library={foreign}", data={
        "name": "Чужой клуб", "audience": "adults", "members": "1", "active": "y"})
    assert _count(owner_engine) == before


def _count(engine):
    with engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM club"))


def test_a_districts_card_lists_its_libraries_and_a_contests_its_entries(as_user, owner_engine):
    client = as_user("orel.director")
    with owner_engine.connect() as conn:
        district = conn.scalar(text("SELECT id FROM tenant WHERE name = :z"), {"z": ZAL})
        libraries = conn.scalars(text("SELECT name FROM library WHERE tenant_id = :d"), {"d": district}).all()
        contest, entries = conn.execute(text(
            "SELECT c.id, count(*) FROM contest c JOIN contest_entry e ON e.contest_id = c.id "
            "WHERE c.tenant_id = :d GROUP BY c.id ORDER BY 2 DESC"), {"d": district}).first()
    html = client.get(f"/tenantview/show/{district}").get_data(as_text=True)
    assert all(name in html for name in libraries)
    card = client.get(f"/contestview/show/{contest}").get_data(as_text=True)
    assert len(set(re.findall(r"/contestentryview/show/(\d+)", card))) == entries


def test_a_district_dashboards_library_rows_open_their_cards(as_user):
    client = as_user("zal.director")
    html = client.get("/").get_data(as_text=True)
    cards = set(re.findall(r'href="/libraryview/show/(\d+)"', html))
    assert len(cards) == 12  # Залегощенский район's libraries
    assert client.get(f"/libraryview/show/{cards.pop()}").status_code == 200


def test_a_day_in_a_filter_is_read_as_the_user_writes_it(as_user, owner_engine):
    """03.04.2025 is the 3rd of April in ru and bg: the list filters by that day, not the 4th
    of March (FAB's own reading is month first); ISO 8601 is read too."""
    import datetime

    with owner_engine.connect() as conn:
        held = [datetime.date.fromisoformat(str(d)[:10]) for d in conn.scalars(text(
            "SELECT e.held_on FROM event e JOIN tenant t ON t.id = e.tenant_id WHERE t.name = :zal"), {"zal": ZAL})]
    after = lambda day: sum(h > day for h in held)  # noqa: E731
    # A day whose month-first reading is another day, with fewer events after it than a page.
    day = next(day for day in sorted({datetime.date(h.year, m, d) for h in held for m in range(1, 13)
                                      for d in range(1, 13) if m != d})
               if after(day) <= 20 and after(day) != after(datetime.date(day.year, day.day, day.month)))
    client = as_user("zal.director")
    for written in (day.strftime("%d.%m.%Y"), day.isoformat()):
        page = client.get(f"/eventview/list/?_flt_1_held_on={written}&_l_=ru").get_data(as_text=True)
        assert _rows(page, "eventview") == after(day), written
