"""A district's yearly statistical reports brought in from a spreadsheet: one row per
library and year, one column per indicator code; the preview names each wrong cell, the
import starts drafts (totals computed) and fills the ones open to change, a submitted or
approved report's row is refused, the same file again changes nothing, and the import is
undone. The district's methodologist imports (she fills the reports: app/statistics)."""
import io
import json

import openpyxl
import pytest
from sqlalchemy import text

from .conftest import login, snapshot

BORTNOE = "Бортновская сельская библиотека"  # a 2025 draft in the demo
GRACHEVKA = "Грачевская сельская библиотека"  # 2024 approved, 2025 submitted
ZOLOTAREVO = "Золотаревская сельская библиотека"
LOMOVETS = "Ломовецкая сельская библиотека"
MOKHOVOE = "Моховская сельская библиотека"
PRILEPY = "Прилепская сельская библиотека"
SVETLINA = "Библиотека при НЧ „Светлина 1899“"  # Мъглиж, Bulgaria
NEXT_YEAR = __import__("datetime").date.today().year + 1
HEADINGS = ["Библиотека", "Год", "area_owned в оперативном управлении", "area_rented", "area_other",
            "Число зарегистрированных пользователей — всего", "users_children", "visits_total",
            "loans_onsite", "loans_remote"]


def _rows():
    return [
        [ZOLOTAREVO, 2025, 100, "20,5", 0, 300, 90, "неизвестно", 1000, 0],
        [LOMOVETS, 2025, 80, 0, 0, 250, None, "?", 700, 15],
        [BORTNOE, 2025, None, None, None, 430, None, None, None, None],  # an empty cell keeps the figure
        [MOKHOVOE, 2025, 50, 0, 0, "много", 10, 100, 1, 0],
        [SVETLINA, 2025, 50, 0, 0, 100, 10, 100, 1, 0],
        [ZOLOTAREVO, NEXT_YEAR, 50, 0, 0, 100, 10, 100, 1, 0],
        [LOMOVETS, 2025, 80, 0, 0, 250, None, None, 700, 15],
        [GRACHEVKA, 2024, None, None, None, 999, None, None, None, None],
        [PRILEPY, 2025, 50, 0, 0, -5, 10, 100, 1, 0],
    ]


def _xlsx(headings, rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headings)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(headings, rows) -> bytes:
    lines = [";".join(headings)] + [";".join("" if c is None else str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _post(client, data, name, language="ru", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/stat_report/import?{query}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": language})


def _report(engine, library, year):
    with engine.connect() as conn:
        row = conn.execute(text(
            'SELECT r.id, r.status, r.edition, r.version, r."values" FROM stat_report r '
            "JOIN library l ON l.id = r.library_id WHERE l.name = :n AND r.year = :y"),
            {"n": library, "y": year}).mappings().first()
        if row is None:
            return None
        steps = conn.execute(text("SELECT from_status, to_status FROM stat_report_step WHERE report_id = :i"),
                             {"i": row["id"]}).all()
    values = row["values"]
    return {**row, "values": json.loads(values) if isinstance(values, str) else values, "steps": steps}


def _said(app, language, msgid, **params):
    """A message of this import as its reader gets it (its words are in the catalogue)."""
    from flask_babel import gettext

    from app.i18n import speaking

    with app.test_request_context(), speaking(language):
        return gettext(msgid, **params)


@pytest.fixture
def methodologist(app):
    return login(app, "zal.methodologist")


def test_the_preview_names_each_wrong_cell_and_the_import_fills_and_starts_reports(app, owner_engine, methodologist):
    before = snapshot(owner_engine)
    bortnoe = _report(owner_engine, BORTNOE, 2025)
    answer = _post(methodologist, _xlsx(HEADINGS, _rows()), "figures-2025.xlsx").get_json()
    assert (answer["created"], answer["updated"], answer["refused"]) == (2, 1, 6), answer
    errors = {(e["row"], e["column"]): e["message"] for e in answer["errors"]}
    assert errors == {
        (5, "users_total Число зарегистрированных пользователей — всего"): _said(
            app, "ru", "Enter a number, or “unknown” where the library does not know it."),
        (6, "Библиотека"): f"«{SVETLINA}» не найдено.",
        (7, "Год"): f"Введите год от 1990 до {NEXT_YEAR - 1}.",
        (8, ""): "Та же запись уже есть в строке 3.",
        (9, ""): _said(app, "ru", "The report is “%(status)s”: its figures can be changed once it is returned for "
                     "correction.", status="Утверждён"),
        (10, "users_total Число зарегистрированных пользователей — всего"): "Не может быть отрицательным.",
    }, errors
    assert snapshot(owner_engine) == before  # a preview writes nothing

    # The valid rows, written: two drafts with their totals, one draft filled further.
    written = _post(methodologist, _xlsx(HEADINGS, _rows()), "figures-2025.xlsx", dry_run="false",
                    valid_only="true").get_json()
    assert (written["created"], written["updated"], written["refused"]) == (2, 1, 6), written
    new = _report(owner_engine, ZOLOTAREVO, 2025)
    assert (new["status"], new["edition"]) == ("draft", "6nk-2021")
    assert new["values"]["area_total"] == 120.5 and new["values"]["loans_total"] == 1000
    assert new["values"]["visits_total"] == "unknown" and new["values"]["users_children"] == 90
    assert new["steps"] == [(None, "draft")]
    assert "users_children" not in _report(owner_engine, LOMOVETS, 2025)["values"]
    filled = _report(owner_engine, BORTNOE, 2025)
    assert filled["values"] == {**bortnoe["values"], "users_total": 430}
    assert filled["version"] == bortnoe["version"] + 1
    assert _report(owner_engine, GRACHEVKA, 2024)["values"]["users_total"] == 356  # approved: untouched

    # The same file again changes nothing.
    again = _post(methodologist, _xlsx(HEADINGS, _rows()), "figures-2025.xlsx").get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3), again

    # Undone as every import: the new reports (and their history) go, the filled one is as it was.
    assert methodologist.post(f"/statreportview/import/undo/{written['batch']}").status_code == 302
    assert _report(owner_engine, ZOLOTAREVO, 2025) is None and _report(owner_engine, LOMOVETS, 2025) is None
    assert _report(owner_engine, BORTNOE, 2025)["values"] == bortnoe["values"]
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stat_report_step WHERE report_id NOT IN "
                                 "(SELECT id FROM stat_report)")).scalar() == 0


def test_a_windows_csv_with_decimal_commas_goes_through_the_import_screen(app, owner_engine, methodologist):
    rows = [[MOKHOVOE, 2025, "60,25", "0", "0", "1 200", "", "неизвестно", "3000", "0"],
            [PRILEPY, 2025, "40", "0", "0", "12,5", "", "", "", ""]]
    page = methodologist.post("/statreportview/import/?_l_=ru", data={"file": (io.BytesIO(_csv(HEADINGS, rows)),
                                                                             "figures.csv")},
                              content_type="multipart/form-data")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Введите целое число." in body
    token = body.split('name="token" value="')[1].split('"')[0]
    confirmed = methodologist.post("/statreportview/import/confirm", data={"token": token, "valid_only": "1"})
    assert confirmed.status_code == 302
    report = _report(owner_engine, MOKHOVOE, 2025)
    assert report["values"]["area_total"] == 60.25 and report["values"]["users_total"] == 1200
    assert report["values"]["visits_total"] == "unknown" and _report(owner_engine, PRILEPY, 2025) is None
    listed = methodologist.get("/statreportview/import/?_l_=ru").get_data(as_text=True)
    batch = listed.split("/statreportview/import/undo/")[1][:32]
    assert methodologist.post(f"/statreportview/import/undo/{batch}").status_code == 302
    assert _report(owner_engine, MOKHOVOE, 2025) is None


def test_the_bulgarian_template_comes_back_as_a_report_and_again_unchanged(app, owner_engine):
    client = login(app, "sz.methodologist")
    response = client.get("/api/v1/stat_report/import/template", headers={"Accept-Language": "bg"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    data, guide = book.worksheets[0], book.worksheets[2]
    headings = [c.value for c in data[1]]
    assert headings[:3] == ["Библиотека *", "Година *", "stock_start Наличност в началото на годината"]
    assert "users_total" not in " ".join(headings)  # the Russian form's codes are not listed
    guide_lines = [row[0] for row in guide.iter_rows(values_only=True)]
    assert _said(app, "bg", "Write “unknown” (or “?”) where the library does not know a figure. An empty cell "
                 "adds nothing: in a report that exists, it keeps the figure the report holds.") in guide_lines
    year_row = next(row for row in guide.iter_rows(min_row=2, values_only=True) if row[0] == "Година *"
                    or row[0] == "Година")
    assert year_row[4] == 2025
    # Filled in (one heading as its Bulgarian name alone) and imported.
    filled = headings[:3] + ["Отчислени", "added_purchase", "от тях дарение", "added_exchange"]
    row = [SVETLINA, 2024, 1000, 100, 50, 0, 0]
    answer = _post(client, _xlsx(filled, [row]), "svetlina.xlsx", "bg", dry_run="false").get_json()
    assert answer["refused"] == 1 and answer["errors"][0]["message"] == _said(
        app, "bg", "The report is “%(status)s”: its figures can be changed once it is returned for correction.",
        status="Одобрен"), answer
    row[1] = 2023
    answer = _post(client, _xlsx(filled, [row]), "svetlina.xlsx", "bg", dry_run="false").get_json()
    assert answer["created"] == 1, answer
    values = _report(owner_engine, SVETLINA, 2023)["values"]
    assert (values["stock_start"], values["withdrawn"], values["added_total"]) == (1000, 100, 50)
    assert values["stock_end"] == 950  # start, plus added, less withdrawn
    again = _post(client, _xlsx(filled, [row]), "svetlina.xlsx", "bg").get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1), again
    assert client.post(f"/statreportview/import/undo/{answer['batch']}").status_code == 302
    assert _report(owner_engine, SVETLINA, 2023) is None


def test_an_exported_list_imported_again_changes_nothing(app, methodologist):
    export = methodologist.get("/statreportview/export/xlsx?_l_=ru")
    answer = _post(methodologist, export.data, "export.xlsx").get_json()
    assert (answer["created"], answer["updated"], answer["refused"], answer["errors"]) == (0, 0, 0, []), answer
    assert answer["unchanged"] >= 3


def test_the_operator_command_imports_reports(app, owner_engine, tmp_path):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(_xlsx(HEADINGS + ["no_such_code"], [row + [1] for row in _rows()[:2]]))
    result = app.test_cli_runner().invoke(args=["import", str(path), "--type", "stat_report", "--tenant",
                                                "Залегощенский район", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 1\tno_such_code\tТакого поля у этих записей нет: столбец пропущен." in result.output
    assert "created 2, updated 0, unchanged 0, refused 0" in result.output
    assert _report(owner_engine, ZOLOTAREVO, 2025) is None


def test_a_report_submitted_since_the_import_keeps_its_figures(app, owner_engine, methodologist):
    rows = [[ZOLOTAREVO, 2025, 100, 0, 0, 300, 90, 1000, 1000, 0]]
    written = _post(methodologist, _xlsx(HEADINGS, rows), "one.xlsx", dry_run="false").get_json()
    assert written["created"] == 1
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE stat_report SET status = 'submitted' WHERE id = :i"),
                     {"i": _report(owner_engine, ZOLOTAREVO, 2025)["id"]})
    methodologist.post(f"/statreportview/import/undo/{written['batch']}")
    assert _report(owner_engine, ZOLOTAREVO, 2025)["values"]["users_total"] == 300
    with owner_engine.begin() as conn:  # (the test's own report, gone)
        pk = _report(owner_engine, ZOLOTAREVO, 2025)["id"]
        conn.execute(text("DELETE FROM stat_report_step WHERE report_id = :i"), {"i": pk})
        conn.execute(text("DELETE FROM stat_report WHERE id = :i"), {"i": pk})
