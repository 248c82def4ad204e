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
        assert 'name="q"' in html, type(view).__name__
        add = re.search(r'<a href="[^"]*/add[^"]*" class="btn btn-sm btn-primary">(.*?)</a>', html, re.S)
        assert add and re.search(r"Добав\w+ \w+", add.group(1)), type(view).__name__  # not a bare "+"


def test_the_quick_search_finds_nothing_outside_the_scope(as_user, owner_engine):
    with owner_engine.connect() as conn:
        foreign = conn.scalar(text("SELECT c.name FROM club c JOIN tenant t ON t.id = c.tenant_id "
                                   "WHERE t.name <> :z ORDER BY c.id"), {"z": ZAL})
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
