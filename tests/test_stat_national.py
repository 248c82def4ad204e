"""Admin's summary of the whole network: a row per region with its districts' summaries by
status, the figures of all regions summed (each region's as its own page gives them), the
regions compared on the key figures; and a region's table of districts that says which
districts' figures are not yet the region's."""
import re

from sqlalchemy import text

from app.statistics.forms import edition

from .conftest import login
from .test_stat_ratios import _row
from .test_stat_reports import _text

USERS = edition("6nk-2021").indicators["users_total"]


def _regions(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, name FROM tenant WHERE parent_id IS NULL ORDER BY name")).all()


def _figure(html, label):
    """The year's value of the indicator `label` in the form's table, as a number (None: —)."""
    table = html[html.index('class="table table-condensed table-bordered figures"'):]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table[:table.index("</table>")], flags=re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0] == label:
            value = cells[3].rstrip(" *")
            return None if value == "—" else int(value.replace("\xa0", "").replace(" ", ""))
    raise AssertionError(f"no line {label}")


def test_admins_summary_sums_every_regions_figures(owner_engine, app):
    admin = login(app, "admin")
    admin.get("/lang/ru")
    response = admin.get("/stat-summary/?year=2024")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = _text(response)
    assert "Все области" in page and "Сводки районов по областям" in page
    regions = _regions(owner_engine)
    label = USERS.labels["ru"]
    summed = 0
    for region_id, name in regions:
        assert f'/stat-summary/{region_id}?year=2024">{name}</a>' in html
        own = admin.get(f"/stat-summary/{region_id}?year=2024").get_data(as_text=True)
        if 'figures"' in own and USERS.labels["ru"] in own:
            summed += _figure(own, label) or 0
    assert summed > 0  # the demo's Киренский район has its summary of 2024 approved
    assert _figure(html, label) == summed
    # The regions compared: Иркутская область's row gives its users, as its page does.
    irkutsk = next(name for _id, name in regions if name.startswith("Иркутск"))
    assert _row(html, irkutsk, "key-figures")[1].replace(" ", "").replace("\xa0", "") == str(summed)


def test_the_network_summary_is_admins_only(app):
    """A region's director asking for the page without an id gets their own region's."""
    page = _text(login(app, "orel.director").get("/stat-summary/?year=2024"))
    assert "Все области" not in page and "Орловская область" in page


def test_a_district_not_yet_approved_is_marked_preliminary(owner_engine, app):
    """Залегощенский район's 2024 summary is not approved: its row shows its approved reports
    marked †, and the region's total says it includes them."""
    html = login(app, "orel.director").get("/stat-summary/?year=2024").get_data(as_text=True)
    row = _row(html, "Залегощенский район", "key-figures")
    assert row[1] != "—"
    assert re.search(r"Залегощенский район</a>\s*<span class=\"preliminary[^>]*>†</span>", html)
    assert "Предварительные данные: сводка района ещё не утверждена" in html
    # Иркутская область: Киренский район's summary is approved, nothing is preliminary.
    admin = login(app, "admin")
    admin.get("/lang/ru")
    irkutsk = next(i for i, name in _regions(owner_engine) if name.startswith("Иркутск"))
    html = admin.get(f"/stat-summary/{irkutsk}?year=2024").get_data(as_text=True)
    assert "Киренский район" in html and "class=\"preliminary" not in html
    # Admin goes back up to the network's page; a region's director has nothing above.
    assert '<ol class="breadcrumb hidden-print"><li><a href="/stat-summary/?year=2024">Все области</a>' in html
    orel = login(app, "orel.director").get("/stat-summary/?year=2024").get_data(as_text=True)
    assert 'class="breadcrumb' not in orel


def test_admins_workbook_has_the_networks_figures_and_the_regions(owner_engine, app):
    import io

    from openpyxl import load_workbook

    admin = login(app, "admin")
    admin.get("/lang/ru")
    html = admin.get("/stat-summary/?year=2024").get_data(as_text=True)
    users = _figure(html, USERS.labels["ru"])
    response = admin.get("/stat-summary/xlsx?year=2024")
    assert response.status_code == 200 and "stat-summary-all-2024.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames[0] == "Сводка" and "Раздел 4" in book.sheetnames and book.sheetnames[-1] == "Области"
    first = [row[0] for row in book["Сводка"].iter_rows(values_only=True) if row and row[0]]
    assert first[0] == "Все области" and any(str(text).startswith("Показатели — сумма 1 утверждённой сводки района")
                                             for text in first)
    section = [list(row) for row in book["Раздел 4"].iter_rows(values_only=True)]
    line = next(row for row in section if len(row) > 2 and row[1] == USERS.line)
    column = next(row for row in section if row and row[0] == "Графа").index(int(USERS.column))
    assert line[column] == users
    regions = [list(row) for row in book["Области"].iter_rows(values_only=True)]
    assert next(row for row in regions if row[0] and row[0].startswith("Иркутск"))[2] == users
    # A heading that wraps in its cell has the row's height for its lines: a spreadsheet shows a
    # row at the height the file gives, and the lines would lie over the next rows.
    sheet = load_workbook(io.BytesIO(response.data))["Раздел 4"]
    heading = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Показатель")
    assert sheet.row_dimensions[heading].height >= 45  # "обслуженные в стационарных условиях (из гр. 2)"
    assert sheet.row_dimensions[heading + 2].height is None  # a line of figures: one line
