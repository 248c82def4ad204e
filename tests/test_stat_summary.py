"""A district's and a region's statistical summary as their directors read it: the figures
summed over the approved reports only, who has not reported, who is late after the date
the district set; another district's summary is as missing as an unknown one."""
import io
import re
import json

from openpyxl import load_workbook
from sqlalchemy import text

from app.statistics.forms import edition

from .conftest import login
from .test_stat_reports import _text

ZAL, MGL = "Залегощенский район", "Мъглиж"


def _tenant(engine, name):
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM tenant WHERE name = :n"), {"n": name}).scalar()


def _approved_sum(engine, tenant_id, year, code):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT \"values\" FROM stat_report WHERE tenant_id = :t AND year = :y "
                                 "AND status = 'approved'"), {"t": tenant_id, "y": year}).scalars().all()
    values = [json.loads(v) if isinstance(v, str) else v for v in rows]
    return len(values), sum(v[code] for v in values if isinstance(v.get(code), (int, float)))


def _text_of(html):
    class Page:
        def get_data(self, as_text=True):
            return html
    return _text(Page())


def _sheet_rows(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_a_districts_summary_sums_its_approved_reports_only(owner_engine, app):
    zal = _tenant(owner_engine, ZAL)
    reports, users = _approved_sum(owner_engine, zal, 2024, "users_total")
    assert reports >= 1
    director = login(app, "zal.director")
    page = _text(director.get("/stat-summary/?year=2024"))
    assert "Сводный статистический отчёт за 2024 год" in page
    assert f"Сумма по {reports} утверждённ" in page
    label = edition("6nk-2021").indicators["users_total"].labels["ru"]
    rows = _sheet_rows(director.get(f"/stat-summary/{zal}/xlsx?year=2024"))
    row = next(r for r in rows if r and r[0] == label and r[1:3] == ("11", "2"))  # the table beside last year
    assert row[3] == users
    # A submitted report of 2025 is not summed until it is approved.
    _, users_2025 = _approved_sum(owner_engine, zal, 2025, "users_total")
    rows = _sheet_rows(director.get(f"/stat-summary/{zal}/xlsx?year=2025"))
    summed = [r for r in rows if r and r[0] == label and r[1:3] == ("11", "2")]
    assert (summed[0][3] if summed else 0) == users_2025


def test_libraries_without_a_report_are_named_and_late_after_the_districts_date(owner_engine, app):
    director = login(app, "zal.director")
    # The district sets its libraries' date for 2024; the summary reads it.
    added = director.post("/statdeadlineview/add", data={
        "tenant": _tenant(owner_engine, ZAL), "year": 2024, "level": "libraries", "due_on": "2025-01-20"},
        follow_redirects=True)
    assert added.status_code == 200
    html = director.get("/stat-summary/?year=2024").get_data(as_text=True)
    page = _text_of(html)
    assert "Отчёты библиотек сдаются до 20.01.2025." in page
    with owner_engine.connect() as conn:
        missing = conn.execute(text(
            "SELECT count(*) FROM library l WHERE l.tenant_id = :t AND l.status = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM stat_report r WHERE r.library_id = l.id AND r.year = 2024 "
            "AND r.status IN ('submitted', 'approved'))"), {"t": _tenant(owner_engine, ZAL)}).scalar()
    assert missing >= 1
    assert html.count('<span class="label label-late">Опаздывает</span>') == missing
    assert "Не начат" in page


def test_a_district_does_not_set_its_own_summarys_date(owner_engine, app):
    director = login(app, "zal.director")
    before = owner_engine.connect().execute(text("SELECT count(*) FROM stat_deadline")).scalar()
    page = director.post("/statdeadlineview/add", data={
        "tenant": _tenant(owner_engine, ZAL), "year": 2023, "level": "districts", "due_on": "2024-02-01"},
        follow_redirects=True)
    assert "Срок сводного отчёта района устанавливает область." in _text(page)
    assert owner_engine.connect().execute(text("SELECT count(*) FROM stat_deadline")).scalar() == before


def test_a_region_sees_each_district_and_another_district_sees_nothing(owner_engine, app):
    region = _text(login(app, "orel.director").get("/stat-summary/?year=2024"))
    assert ZAL in region and "Утверждён" in region
    zal = _tenant(owner_engine, ZAL)
    foreign = login(app, "maglizh.director")
    assert foreign.get(f"/stat-summary/{zal}?year=2024").status_code == 404
    assert foreign.get(f"/stat-summary/{zal}/xlsx?year=2024").status_code == 404
    assert foreign.get(f"/stat-summary/{10**7}?year=2024").status_code == 404
    own = _text(foreign.get("/stat-summary/?year=2024"))
    assert "Обобщен статистически отчет за 2024 г." in own and ZAL not in own


def _book(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))  # not read-only: the page setup is read too


def _rows(sheet):
    return [row for row in sheet.iter_rows(values_only=True)]


def _page_figure(page, label, line, column):
    """The year's sum of an indicator as the page prints it (digits in the user's grouping)."""
    found = re.search(re.escape(label) + rf" {line} {column} ([\d\s]+)", page)
    return int(re.sub(r"\D", "", found.group(1)))


def test_the_workbook_has_the_forms_layout_a_sheet_per_section(owner_engine, app):
    zal = _tenant(owner_engine, ZAL)
    form = edition("6nk-2021")
    reports, users = _approved_sum(owner_engine, zal, 2024, "users_total")
    director = login(app, "zal.director")
    page = _text(director.get("/stat-summary/?year=2024"))
    book = _book(director.get(f"/stat-summary/{zal}/xlsx?year=2024"))

    # First what it is: whose, which year and form, by what act, over how many reports.
    first = [cell for row in _rows(book.worksheets[0]) for cell in row if cell is not None]
    assert first[:2] == [ZAL, "Сводный статистический отчёт за 2024 год"]
    assert form.titles["ru"] in " ".join(first) and form.act["ru"] in " ".join(first)
    assert f"Сумма по {reports} утверждённым отчётам." in first
    assert "Неизвестно в части отчётов: сумма — по тем, где значение указано." in first

    # Then a sheet per section, which the first sheet lists beside the section's title.
    assert len(book.sheetnames) == 1 + len(form.sections)
    for section, name in zip(form.sections, book.sheetnames[1:]):
        assert name.endswith(f" {section.code}") and len(name) <= 31
        assert _rows(book[name])[1][0].endswith(f". {section.titles['ru']}")
        assert (name, section.titles["ru"]) in [row[:2] for row in _rows(book.worksheets[0])]

    # Section 4 as the form draws it: the sum of line 11, column 2 where they cross.
    sheet = book[book.sheetnames[4]]
    rows = _rows(sheet)
    head = next(i for i, row in enumerate(rows) if row[:2] == ("Показатель", "Строка"))
    numbers = rows[head + 1]
    assert numbers[2:] == tuple(range(2, 12))  # columns 2 to 11, in order
    assert rows[head][2] == form.sections[3].columns["2"]["ru"]  # the form file's heading of the column
    line = next(row for row in rows[head + 2:] if row[1] == "11")
    cell = line[numbers.index(2)]
    assert cell == users == _page_figure(page, form.indicators["users_total"].labels["ru"], 11, 2)
    assert isinstance(cell, int)  # a number the reader can sum, not its text
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    # Section 5: a line per row, in the form's order, named as the form file names it.
    lending = _rows(book[book.sheetnames[5]])
    grid = lending[next(i for i, row in enumerate(lending) if row[:2] == ("Показатель", "Строка")) + 2:]
    assert [row[1] for row in grid[:6]] == ["12", "13", "14", "15", "16", "17"]
    assert grid[4][0] == form.sections[4].lines["16"]["ru"]  # line 16: columns 3 and 9

    # Under the grid, every indicator beside last year's value and the change, as before.
    table = next(i for i, row in enumerate(rows) if row[:7] == (
        "Показатель", "Строка", "Графа", "2024", "2023", "Изменение, %", "Отчётов без значения"))
    assert table > head
    assert (form.indicators["users_total"].labels["ru"], "11", "2", users) in [row[:4] for row in rows[table:]]

    # An indicator the form does not number sits below its section's grid by its label.
    rows = _rows(book[book.sheetnames[1]])
    label = form.indicators["outreach_points"].labels["ru"]
    grid_end = next(i for i, row in enumerate(rows) if i > 4 and not any(row))
    outreach = [row for row in rows[:grid_end] if row[0] == label]
    assert len(outreach) == 1 and outreach[0][1] is None and outreach[0][2] is not None


def test_a_regions_workbook_says_what_it_sums_and_keeps_its_districts(owner_engine, app):
    with owner_engine.connect() as conn:
        region = conn.execute(text("SELECT parent_id FROM tenant WHERE id = :t"), {"t": _tenant(owner_engine, ZAL)}).scalar()
    book = _book(login(app, "orel.director").get(f"/stat-summary/{region}/xlsx?year=2024"))
    first = [cell for row in _rows(book.worksheets[0]) for cell in row if cell is not None]
    assert any(str(cell).startswith("Показатели области — сумма ") for cell in first)
    assert "Районы" in book.sheetnames
    # A year nobody has reported: one sheet that says so.
    empty = _book(login(app, "zal.director").get(f"/stat-summary/{_tenant(owner_engine, ZAL)}/xlsx?year=2030"))
    assert len(empty.sheetnames) == 1
    assert "Ни один отчёт за этот год ещё не утверждён." in [row[0] for row in _rows(empty.worksheets[0])]


def test_the_forms_own_headings_come_before_the_indicators_labels(app):
    from dataclasses import dataclass

    from app.reports.stat_summary import _column_heading, _line_name

    form = edition("6nk-2021")
    section = next(s for s in form.sections if s.code == "7")
    grid = {(i.line, i.column): {"indicator": i} for i in section.indicators if i.line and i.column}

    @dataclass(frozen=True)
    class Plain:  # a form file that names neither its columns nor its lines
        code: str

        def column_title(self, column):
            return None

        def line_title(self, line):
            return None

    with app.test_request_context(headers={"Accept-Language": "ru"}):
        labels = {code: form.indicators[code].label for code in ("income_total", "spending_total")}
        # Without headings: a column is named by its first line's indicator, a line by its lowest column's.
        assert _column_heading(Plain("7"), "3", grid) == labels["income_total"]  # line 19's
        assert _line_name(Plain("7"), "20", grid) == labels["spending_total"]
        # The form file's own headings, in the reader's language.
        assert _column_heading(section, "3", grid) == section.columns["3"]["ru"]
        assert _line_name(section, "20", grid) == section.lines["20"]["ru"]


def test_two_editions_name_their_sheets_apart(app):
    from dataclasses import replace

    from app.reports.stat_summary import _sheet_names

    ru, bg = edition("6nk-2021"), edition("bg-annual-2023")

    def table(form):
        return {"edition": form, "sections": [{"code": s.code, "title": s.titles["bg"]} for s in form.sections]}

    with app.test_request_context(headers={"Accept-Language": "ru"}):
        alone = _sheet_names([table(ru)], {"Сводка"})
        both = _sheet_names([table(ru), table(bg)], {"Сводка"})
        newer = replace(ru, code="6nk-2025")
        twice = _sheet_names([table(ru), table(newer)], {"Сводка"})
    assert alone["6nk-2021", "1"].endswith(" 1") and not alone["6nk-2021", "1"].startswith(ru.form)
    assert both["6nk-2021", "4"].startswith("6-НК ") and both["bg-annual-2023", "stock"].startswith(bg.form)
    for names in (alone, both, twice):
        assert len(set(names.values())) == len(names) and all(len(n) <= 31 for n in names.values())
    assert twice["6nk-2021", "1"] != twice["6nk-2025", "1"] and twice["6nk-2025", "1"].startswith("6nk-2025 ")
