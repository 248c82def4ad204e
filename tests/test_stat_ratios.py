"""A region's districts on the key figures of the year (users, visits, loans, events, stock)
beside the year before, and the ratios methodologists quote, as a region's director reads
them on the summary's page and in its workbook: summed over approved reports only, no
coverage without a population, a population typed wrong refused in the user's language."""
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from app.statistics.forms import FormFileError, KEY_FIGURES, editions, load

from .conftest import login, put_current, snapshot
from .test_forms import form_of
from .test_stat_reports import _text

ZAL, MGL, CHR = "Залегощенский район", "Мъглиж", "Чирпан"


def _tenant(engine, name):
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, population FROM tenant WHERE name = :n"), {"n": name}).one()


def _region_of(engine, district_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT parent_id FROM tenant WHERE id = :i"), {"i": district_id}).scalar()


def _shown(number):
    """A whole number as the page shows it, digits grouped (the group sign read as a space)."""
    return f"{number:,}".replace(",", " ")


def _reports(engine, tenant_id, year, status="approved"):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT \"values\" FROM stat_report WHERE tenant_id = :t AND year = :y "
                                 "AND status = :s"), {"t": tenant_id, "y": year, "s": status}).scalars().all()
    return [json.loads(v) if isinstance(v, str) else v for v in rows]


def _sum(reports, code):
    return sum(r[code] for r in reports)


def _round(value, places):
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _sheet(response, title):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert title in book.sheetnames, book.sheetnames
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def _row(html, name, table="key-ratios"):
    """The cells of the row named `name` of the districts' ratios (district, population, the
    five ratios) or figures (district, then each figure's year, year before and change), as text."""
    table = html[html.index(f'class="table table-condensed table-bordered figures {table}"'):]
    table = table[:table.index("</table>")]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0].removesuffix(" †") == name:
            return cells
    raise AssertionError(f"no row {name}")


def test_every_edition_names_its_key_figures_as_counts_of_their_unit():
    for edition in editions():
        assert set(edition.key) == set(KEY_FIGURES), edition.code
        for name, code in edition.key.items():
            indicator = edition.indicators[code]
            assert indicator.required or name == "events", (edition.code, code)
            assert (indicator.type, indicator.unit) == ("count", KEY_FIGURES[name])


def test_a_key_naming_a_wrong_indicator_is_refused(tmp_path):
    source = next(e for e in editions() if e.code == "bg-annual-2023").path.read_text(encoding="utf-8")
    path = tmp_path / "bg-annual-2023.yaml"
    path.write_text(source.replace("stock: stock_end", "stock: visits_total"), encoding="utf-8")
    with pytest.raises(FormFileError, match="key stock: visits_total is not a count of copies"):
        load(path)


def test_a_regions_table_sums_approved_reports_only_with_the_ratios(owner_engine, app):
    zal, population = _tenant(owner_engine, ZAL)
    approved = _reports(owner_engine, zal, 2024)
    assert len(approved) >= 2 and population
    users, visits, loans, stock = (_sum(approved, c) for c in ("users_total", "visits_total", "loans_total",
                                                                "stock_held_total"))
    director = login(app, "orel.director")
    html = director.get("/stat-summary/?year=2024").get_data(as_text=True)
    assert "Основные показатели районов" in _text_of(html)
    shown = _shown
    row = _row(html, ZAL, "key-figures")
    assert row[1] == shown(users) and row[2] == "—"  # nothing approved of 2023
    assert row[4] == shown(visits) and row[7] == shown(loans) and row[13] == shown(stock)
    row = _row(html, ZAL)
    assert row[1] == shown(population)
    ratios = row[-5:]
    assert ratios == [str(_round(Decimal(users) * 100 / population, 1)).replace(".", ","),
                      str(_round(Decimal(visits) / users, 1)).replace(".", ","),
                      str(_round(Decimal(loans) / users, 1)).replace(".", ","),
                      str(_round(Decimal(loans) / stock, 2)).replace(".", ","),
                      str(_round(Decimal(stock) / population, 1)).replace(".", ",")]
    # The region's total: its only district's figures, its population the district's.
    total = _row(html, "Итого по области")
    assert total[1].startswith(shown(population)) and total[-5:] == ratios
    assert _row(html, "Итого по области", "key-figures")[1] == shown(users)

    # 2025: a report submitted but not approved is not summed; last year's stand beside.
    assert _reports(owner_engine, zal, 2025, "submitted")
    html = director.get("/stat-summary/?year=2025").get_data(as_text=True)
    row = _row(html, ZAL, "key-figures")
    assert row[1] == "—" and row[2] == shown(users)
    assert _row(html, ZAL)[-5:] == ["— 1"] * 5 and "Нет утверждённых отчётов за этот год." in _text_of(html)


def test_the_workbook_has_the_districts_sheet_with_the_same_numbers(owner_engine, app):
    zal, population = _tenant(owner_engine, ZAL)
    approved = _reports(owner_engine, zal, 2024)
    users, loans, stock, events = (_sum(approved, c) for c in ("users_total", "loans_total", "stock_held_total",
                                                                "events_total"))
    region = _region_of(owner_engine, zal)
    rows = _sheet(login(app, "orel.director").get(f"/stat-summary/{region}/xlsx?year=2024"), "Районы")
    assert rows[0][0] == "Основные показатели районов, 2024"
    assert rows[1][2:5] == [str(2024), str(2023), "Изменение, %"]
    row = next(r for r in rows if r[0] == ZAL)
    assert row[1] == population and row[2] == users and row[3] is None
    assert row[8] == loans and row[11] == events and row[14] == stock
    assert row[17] == pytest.approx(float(_round(Decimal(users) * 100 / population, 1)))
    assert row[20] == pytest.approx(float(_round(Decimal(loans) / stock, 2)))
    assert any(r[0] == "Итого по области" for r in rows)
    # A district's own workbook has no such sheet: it has no districts.
    book = load_workbook(io.BytesIO(login(app, "zal.director").get(f"/stat-summary/{zal}/xlsx?year=2024").data))
    assert "Районы" not in book.sheetnames


def test_a_district_without_its_population_has_no_coverage_in_bulgarian(owner_engine, app):
    mgl, population = _tenant(owner_engine, MGL)
    own = login(app, "maglizh.director")  # a director edits their own organisation's card
    values = form_of(own, f"/tenantview/edit/{mgl}")
    assert values["population"] == str(population)
    saved = own.post(f"/tenantview/edit/{mgl}", data={**values, "population": ""})
    assert saved.status_code == 302
    director = login(app, "sz.director")
    try:
        assert _tenant(owner_engine, MGL)[1] is None
        html = director.get("/stat-summary/?year=2024").get_data(as_text=True)
        page = _text_of(html)
        assert "Основни показатели на общините" in page
        row = _row(html, MGL)
        coverage, visits_per_user, *_, per_inhabitant = row[-5:]
        assert coverage == per_inhabitant and coverage.startswith("—")
        assert re.fullmatch(r"\d+,\d", visits_per_user)
        assert "Населението не е въведено" in page
        # The region's total has no population of its own, nor all its districts': no coverage.
        assert _row(html, "Общо за областта")[-5].startswith("—")
        chirpan = _row(html, CHR)
        assert re.fullmatch(r"\d+,\d", chirpan[-5]) and chirpan[1] == _shown(16500)
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE tenant SET population = :p WHERE id = :i"), {"p": population, "i": mgl})


@pytest.mark.parametrize("typed, message", [
    ("-5", "Въведете броя на жителите, цяло число от 1 до 20 000 000."),
    ("90000000", "Въведете броя на жителите, цяло число от 1 до 20 000 000."),
    ("много", "Въведете броя на жителите като цяло число, например 15000."),
])
def test_a_wrong_population_is_refused_in_the_users_language(owner_engine, app, typed, message):
    mgl, population = _tenant(owner_engine, MGL)
    director = login(app, "maglizh.director")
    values = form_of(director, f"/tenantview/edit/{mgl}")
    before = snapshot(owner_engine)
    refused = director.post(f"/tenantview/edit/{mgl}", data={**values, "population": typed})
    assert refused.status_code == 200 and message in _text(refused)
    assert snapshot(owner_engine) == before


def test_a_population_typed_with_spaces_is_taken_and_shown_grouped(owner_engine, app):
    zal, population = _tenant(owner_engine, ZAL)
    director = login(app, "zal.director")
    values = form_of(director, f"/tenantview/edit/{zal}")
    try:
        saved = director.post(f"/tenantview/edit/{zal}", data={**values, "population": "15 020"})
        assert saved.status_code == 302
        assert _tenant(owner_engine, ZAL)[1] == 15020
        assert "Численность населения 15 020" in _text(director.get(f"/tenantview/show/{zal}"))
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE tenant SET population = :p WHERE id = :i"), {"p": population, "i": zal})


def test_the_api_reads_and_checks_the_population_too(owner_engine, app):
    zal, population = _tenant(owner_engine, ZAL)
    director = login(app, "zal.director")
    assert director.get(f"/api/v1/tenant/{zal}").get_json()["result"]["population"] == population
    before = snapshot(owner_engine)
    refused = put_current(director, f"/api/v1/tenant/{zal}", {"population": 0})
    assert refused.status_code == 422
    assert "Укажите число жителей — целое число от 1 до 20" in json.dumps(refused.get_json(), ensure_ascii=False)
    assert snapshot(owner_engine) == before


def test_a_district_asking_for_its_regions_table_gets_404(owner_engine, app):
    zal, _population = _tenant(owner_engine, ZAL)
    district = login(app, "zal.director")
    own = district.get("/stat-summary/?year=2024").get_data(as_text=True)
    assert "key-figures" not in own  # a district's page has no districts' table
    region = _region_of(owner_engine, zal)
    assert "key-figures" in login(app, "orel.director").get(f"/stat-summary/{region}?year=2024").get_data(as_text=True)
    assert district.get(f"/stat-summary/{region}?year=2024").status_code == 404
    assert district.get(f"/stat-summary/{region}/xlsx?year=2024").status_code == 404


def _text_of(html):
    class Page:
        def get_data(self, as_text=True):
            return html
    return _text(Page())


def test_reports_in_two_editions_are_summed_through_each_editions_key():
    from app.statistics.ratios import _figures

    sums, missing = _figures([
        ("6nk-2021", {"users_total": 400, "visits_total": 5000, "loans_total": 9000, "stock_held_total": 11000}),
        ("bg-annual-2023", {"readers_total": 600, "visits_total": 7000, "loans_total": 15000, "stock_end": 20000,
                            "events": 50}),
        ("bg-annual-2023", {"readers_total": 100, "visits_total": "unknown", "loans_total": 1000, "stock_end": 900}),
    ])
    assert sums == {"users": 1100, "visits": 12000, "loans": 25000, "events": 50, "stock": 31900}
    assert missing == {"users": 0, "visits": 1, "loans": 0, "events": 2, "stock": 0}


def test_a_regions_total_counts_the_inhabitants_of_the_districts_that_reported(owner_engine, app):
    html = login(app, "sz.director").get("/stat-summary/?year=2024").get_data(as_text=True)
    reported = [name for name in (MGL, "Павел баня", CHR, "Опан") if _row(html, name, "key-figures")[1] != "—"]
    assert "Опан" not in reported and len(reported) == 3
    population = sum(_tenant(owner_engine, name)[1] for name in reported)
    users = sum(int(_row(html, name, "key-figures")[1].replace(" ", "")) for name in reported)
    total = _row(html, "Общо за областта")
    assert total[1] == f"{_shown(population)} Σ"
    assert total[2] == str(_round(Decimal(users) * 100 / population, 1)).replace(".", ",")
    assert _row(html, "Опан")[2:] == ["— 1"] * 5 and "Няма одобрени отчети за тази година." in _text_of(html)
