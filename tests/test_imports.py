"""Bringing a spreadsheet in, as a district director does: the template in her language,
a preview that names each wrong cell and writes nothing, the import, the same file again
changing nothing, and the import undone; what is no ordinary spreadsheet refused whole."""
import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import text

from .conftest import login, snapshot
from .test_i18n import visible_text

BORTNOYE = "Бортновская сельская библиотека"  # Залегощенский район
CENTRAL = "Межпоселенческая районная библиотека"
FOREIGN = "Библиотека при НЧ „Светлина 1899“"  # Мъглиж
HEADINGS = ["ФИО", "Должность", "Библиотека", "Образование", "Год рождения", "Ставка", "Дата приёма на работу"]


def _staff_rows(n=200, *, mistakes=True):
    rows = [[f"Импортова Анна {i:03d}", "Библиотекарь", BORTNOYE if i % 2 else CENTRAL,
             "Высшее библиотечное", 1960 + i % 40, "0,5" if i % 3 else "1", f"{1 + i % 28:02d}.03.2015"]
            for i in range(n)]
    if mistakes:
        rows[4][4] = 2090  # a birth year to come
        rows[9][3] = "Незаконченное высшее"  # no such education
        rows[14][2] = FOREIGN  # a library of another district
    return rows


def _xlsx(headings, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(headings, rows, *, encoding="cp1251", delimiter=";") -> bytes:
    lines = [delimiter.join(map(str, headings))] + [delimiter.join(map(str, row)) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _count(engine, sql="SELECT count(*) FROM staff WHERE full_name LIKE 'Импортова Анна%'"):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _post(client, data, name, url="/api/v1/staff/import", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{url}?{query}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": "ru"})


@pytest.fixture
def director(app):
    return login(app, "zal.director")


def test_a_director_previews_fixes_imports_reimports_and_undoes_200_staff(app, owner_engine, director):
    before = snapshot(owner_engine)
    # The preview of the file with three mistakes names each wrong cell, and writes nothing.
    for data, name in ((_xlsx(HEADINGS, _staff_rows()), "staff.xlsx"), (_csv(HEADINGS, _staff_rows()), "staff.csv")):
        page = director.post("/staffview/import/?_l_=ru", data={"file": (io.BytesIO(data), name)},
                             content_type="multipart/form-data")
        assert page.status_code == 200
        words = re.sub(r"\s+", " ", visible_text(page.get_data(as_text=True)))
        assert "Будет добавлено 197" in words and "Отклонено 3" in words, words[:2000]
        assert "6 Год рождения Введите год от" in words  # row 6 of the file: the 5th person
        assert "11 Образование Выберите одно из значений: Высшее библиотечное" in words
        assert f"16 Библиотека «{FOREIGN}» не найдено." in words
        assert snapshot(owner_engine) == before

    # A library of another district is as missing as one that does not exist.
    rows = _staff_rows(2, mistakes=False)
    rows[0][2], rows[1][2] = FOREIGN, "Библиотека, которой нет"
    answer = _post(director, _csv(HEADINGS, rows), "two.csv").get_json()
    messages = [e["message"].replace(FOREIGN, "X").replace("Библиотека, которой нет", "X") for e in answer["errors"]]
    assert messages[0] == messages[1]

    # Fixed, imported: 200 staff, one audit batch naming the file.
    fixed = _xlsx(HEADINGS, _staff_rows(mistakes=False))
    answer = _post(director, fixed, "staff.xlsx", dry_run="false").get_json()
    assert (answer["created"], answer["updated"], answer["refused"]) == (200, 0, 0), answer
    batch = answer["batch"]
    assert _count(owner_engine) == 200
    with owner_engine.connect() as conn:
        summary = conn.execute(text("SELECT after FROM audit_entry WHERE batch = :b AND table_name = 'import'"),
                               {"b": batch}).scalar()
        assert "staff.xlsx" in str(summary)
        assert conn.execute(text("SELECT count(*) FROM audit_entry WHERE batch = :b AND table_name = 'staff'"),
                            {"b": batch}).scalar() == 200

    # The same file again changes nothing.
    again = _post(director, fixed, "staff.xlsx", dry_run="false").get_json()
    assert (again["created"], again["updated"], again["unchanged"], again["batch"]) == (0, 0, 200, None)

    # Undone from the import page: the 200 are gone, and the undo cannot be repeated.
    page = director.get("/staffview/import/?_l_=ru").get_data(as_text=True)
    assert "staff.xlsx" in page and f"/staffview/import/undo/{batch}" in page
    assert director.post(f"/staffview/import/undo/{batch}").status_code == 302
    assert _count(owner_engine) == 0
    page = director.get("/staffview/import/?_l_=ru").get_data(as_text=True)
    assert "Отменён" in page and f"/staffview/import/undo/{batch}" not in page


def test_an_import_is_not_undone_once_its_records_changed(app, owner_engine, director):
    answer = _post(director, _csv(HEADINGS, _staff_rows(3, mistakes=False)), "three.csv", dry_run="false").get_json()
    assert answer["created"] == 3
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE staff SET position = 'Ведущий библиотекарь' WHERE full_name = 'Импортова Анна 001'"))
    response = director.post(f"/staffview/import/undo/{answer['batch']}?_l_=ru", follow_redirects=True)
    assert "1 запись этого импорта с тех пор изменилась: ничего не отменено." in response.get_data(as_text=True)
    assert _count(owner_engine) == 3
    with owner_engine.begin() as conn:  # leave the demo as it was
        conn.execute(text("DELETE FROM staff WHERE full_name LIKE 'Импортова Анна%'"))


def test_another_district_cannot_undo_or_see_the_import(app, owner_engine, director):
    answer = _post(director, _csv(HEADINGS, _staff_rows(1, mistakes=False)), "one.csv", dry_run="false").get_json()
    stranger = login(app, "maglizh.director")
    assert answer["batch"] not in stranger.get("/staffview/import/").get_data(as_text=True)
    assert stranger.post(f"/staffview/import/undo/{answer['batch']}").status_code == 404
    assert stranger.post(f"/staffview/import/undo/{'0' * 32}").status_code == 404
    # The region above may undo it.
    assert login(app, "orel.director").post(f"/staffview/import/undo/{answer['batch']}").status_code == 302
    assert _count(owner_engine) == 0


def test_a_branch_librarians_clubs_for_a_sibling_library_are_refused_row_by_row(app, owner_engine):
    branch = login(app, "zal.branch")  # of Бортновская
    headings = ["Название", "Библиотека", "Аудитория", "Участники"]
    rows = [["Клуб «Родные просторы»", BORTNOYE, "Взрослые", 9], ["Клуб «Чужой»", CENTRAL, "Дети", 5]]
    answer = _post(branch, _csv(headings, rows), "clubs.csv", url="/api/v1/club/import").get_json()
    assert (answer["created"], answer["refused"]) == (1, 1), answer
    assert answer["errors"] == [{"row": 3, "column": "", "message":
                                 "Эту запись можно просматривать, но ваша роль не позволяет её изменить."}]


@pytest.mark.parametrize("name, data, words", [
    ("staff.xlsx", "ФИО;Должность\n".encode("utf-8"), "не таблица"),
    ("staff.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "защищён паролем"),
    ("staff.csv", "ФИО;Должность\nИванова;=HYPERLINK(\"http://x\")\n".encode("utf-8"), "В ячейке B2 формула"),
    ("staff.csv", b"", "Файл пуст"),
])
def test_what_is_no_ordinary_spreadsheet_is_refused_whole(app, owner_engine, director, name, data, words):
    before = snapshot(owner_engine)
    response = _post(director, data, name, dry_run="false")
    assert response.status_code == 422 and words in response.get_json()["message"], response.get_json()
    assert snapshot(owner_engine) == before


def test_a_formula_a_macro_and_a_zip_bomb_are_refused(app, owner_engine, director):
    book = openpyxl.Workbook()
    book.active.append(HEADINGS)
    book.active.append(["Иванова", "Библиотекарь", BORTNOYE, "Высшее библиотечное", "=1900+80"])
    formula = io.BytesIO()
    book.save(formula)
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx(HEADINGS, []))) as source, zipfile.ZipFile(macro, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/vbaProject.bin", b"\x00" * 100)
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx(HEADINGS, []))) as source, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/media/filler.bin", b"\x00" * (300 * 1024 * 1024))  # 300 MB of zeros
    assert len(bomb.getvalue()) < 1024 * 1024
    for data, words in ((formula.getvalue(), "В ячейке E2 формула"), (macro.getvalue(), "макросы"),
                        (bomb.getvalue(), "распаковывается")):
        response = _post(director, data, "staff.xlsx", dry_run="false")
        assert response.status_code == 422 and words in response.get_json()["message"]


def test_a_file_over_the_limit_is_refused_in_words(app, director):
    limit = app.config["IMPORT_MAX_BYTES"]
    app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    try:
        big = _csv(HEADINGS, _staff_rows(15000, mistakes=False))
        assert 1024 * 1024 < len(big) < 2 * 1024 * 1024
        response = _post(director, big, "big.csv")
    finally:
        app.config["IMPORT_MAX_BYTES"] = limit
    assert response.status_code == 422
    assert response.get_json()["message"] == "Файл больше 1 МБ: разделите его или импортируйте строки частями."


def test_the_template_speaks_the_users_language_and_lists_the_choices(app):
    client = login(app, "maglizh.director")
    response = client.get("/api/v1/staff/import/template", headers={"Accept-Language": "bg"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    data, lists, guide = book.worksheets
    headings = [c.value for c in data[1]]
    assert headings[:4] == ["Име и фамилия *", "Длъжност *", "Библиотека *", "Образование *"]
    assert lists.sheet_state == "hidden"
    listed = {c.value for c in lists["C"] if c.value}
    assert FOREIGN in listed and BORTNOYE not in listed  # the director's own libraries only
    assert any("Висше библиотечно" == c.value for c in lists["D"])
    assert data.data_validations.dataValidation  # drop-downs
    assert "Образование" in [row[0].value for row in guide.iter_rows(min_row=2)]


def test_an_exported_list_imported_again_changes_nothing(app, director):
    export = director.get("/staffview/export/xlsx?_l_=ru")
    answer = _post(director, export.data, "export.xlsx").get_json()
    assert answer["refused"] == 0 and answer["created"] == 0 and answer["updated"] == 0, answer
    assert answer["unchanged"] > 10


def test_a_database_error_writes_nothing(app, owner_engine, director, monkeypatch):
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    calls = {"n": 0}
    flush = Session.flush

    def failing(self, *args, **kwargs):  # the rows' write, as a constraint would refuse it
        if self.info.get("import_batch") and self.new:
            calls["n"] += 1
            raise IntegrityError("INSERT", {}, Exception("a constraint"))
        return flush(self, *args, **kwargs)

    before = snapshot(owner_engine)
    monkeypatch.setattr(Session, "flush", failing)
    response = _post(director, _csv(HEADINGS, _staff_rows(5, mistakes=False)), "five.csv", dry_run="false")
    monkeypatch.undo()
    assert calls["n"] == 1 and response.status_code == 422
    assert "ничего не импортировано" in response.get_json()["message"]
    assert snapshot(owner_engine) == before


def test_the_operator_command_prints_the_same_preview(app, owner_engine, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(_csv(HEADINGS, _staff_rows(20)))
    result = app.test_cli_runner().invoke(args=["import", str(path), "--type", "staff", "--tenant",
                                                "Залегощенский район", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 6\tГод рождения\tВведите год от" in result.output
    assert f"row 16\tБиблиотека\t«{FOREIGN}» не найдено." in result.output
    assert "created 17, updated 0, unchanged 0, refused 3" in result.output
    assert _count(owner_engine) == 0


def test_a_list_longer_than_a_batch_exports_whole_and_comes_back_unchanged(app, owner_engine, director):
    """The XLSX export streams its rows in batches of 1,000: all of them reach the file."""
    answer = _post(director, _xlsx(HEADINGS, _staff_rows(1100, mistakes=False)), "many.xlsx", dry_run="false").get_json()
    assert answer["created"] == 1100
    export = director.get("/staffview/export/xlsx?_l_=ru")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(1 for n in names if n.startswith("Импортова Анна")) == 1100
    again = _post(director, export.data, "export.xlsx").get_json()
    assert (again["created"], again["updated"], again["refused"]) == (0, 0, 0), again
    assert director.post(f"/staffview/import/undo/{answer['batch']}").status_code == 302
    assert _count(owner_engine) == 0


def test_the_page_hears_how_far_the_run_has_got_and_only_its_own(app, owner_engine, director, monkeypatch):
    from app.imports.progress import Progress

    heard = []
    told = Progress.__call__

    def heard_and_told(self, stage, done=0, total=0):
        heard.append((stage, done, total))
        told(self, stage, done, total)

    monkeypatch.setattr(Progress, "__call__", heard_and_told)
    # The preview and the import, each named by the page, tell where they are, row by row.
    data = _xlsx(HEADINGS, _staff_rows(120, mistakes=False))
    page = director.post("/staffview/import/", data={"file": (io.BytesIO(data), "s.xlsx"), "progress": "p" * 32},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert heard[0] == ("reading", 0, 0) and heard[-1] == ("checking", 120, 120), heard
    checked = [done for stage, done, _ in heard if stage == "checking"]
    assert checked == sorted(checked) and len(checked) >= 2
    # Once the answer is given, the run is forgotten.
    assert director.get(f"/staffview/import/progress?key={'p' * 32}").status_code == 404
    heard.clear()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert director.post("/staffview/import/confirm", data={"token": token, "progress": "q" * 32}).status_code == 302
    assert heard[-1] == ("saving", 120, 120) and _count(owner_engine) == 120

    # What a run has written is read back by its user only, in her language.
    key = "k" * 32
    with app.test_request_context():
        user = app.appbuilder.sm.find_user("zal.director")
        Progress(key, user.id)("checking", 120, 2000)
    answer = director.get(f"/staffview/import/progress?key={key}&_l_=ru")
    assert answer.status_code == 200 and answer.get_json()["text"] == "Проверено строк: 120 из 2\xa0000"
    assert director.get(f"/staffview/import/progress?key={key}&_l_=bg").get_json()["text"] == \
        "Проверени редове: 120 от 2\xa0000"
    stranger = login(app, "maglizh.director")
    assert stranger.get(f"/staffview/import/progress?key={key}").status_code == 404
    assert director.get(f"/staffview/import/progress?key={'x' * 32}").status_code == 404
    assert director.get("/staffview/import/progress?key=../../etc/passwd").status_code == 404
    with owner_engine.begin() as conn:  # leave the demo as it was
        conn.execute(text("DELETE FROM staff WHERE full_name LIKE 'Импортова Анна%'"))
