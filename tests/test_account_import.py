"""A district director brings her staff's accounts in from a spreadsheet: the template
lists the roles she may give and the places of her district, in her language; the
preview names each wrong cell; the import gives every new account an initial password
shown once, which signs it in; the same file again changes nothing; the import is
undone while its accounts are unused; and a user name of another district is "taken",
with nothing more said about it. No password is imported, and none reaches the audit trail."""
import io
import re

import openpyxl
import pytest
from sqlalchemy import text

from .conftest import login
from .test_i18n import visible_text

BORTNOYE = "Бортновская сельская библиотека"  # Залегощенский район
FOREIGN = "Библиотека при НЧ „Светлина 1899“"  # Мъглиж
HEADINGS = ["Имя пользователя", "Имя", "Фамилия", "Электронная почта", "Роль", "Библиотека", "Действует"]


def _accounts(n=2, *, prefix="zal.import"):
    return [[f"{prefix}{i}", "Ольга", f"Импортова {i}", f"{prefix}{i}@example.org",
             "Сотрудник филиала" if i % 2 else "Методист", BORTNOYE if i % 2 else "", "да"]
            for i in range(n)]


def _xlsx(headings, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(headings, rows) -> bytes:
    lines = [";".join(map(str, headings))] + [";".join(map(str, row)) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _post(client, data, name="accounts.xlsx", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/account/import?{query}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": "ru"})


def _count(engine, like="zal.import%"):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM ab_user WHERE username LIKE :u"), {"u": like}).scalar()


def _drop(engine, like):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ab_user_role WHERE user_id IN (SELECT id FROM ab_user WHERE username LIKE :u)"),
                     {"u": like})
        conn.execute(text("DELETE FROM ab_user WHERE username LIKE :u"), {"u": like})


@pytest.fixture
def director(app, owner_engine):
    yield login(app, "zal.director")
    _drop(owner_engine, "zal.import%")


@pytest.mark.parametrize("locale, roles, above", [
    ("ru", ["Директор", "Методист", "Сотрудник филиала", "Наблюдатель"], "Администратор"),
    ("bg", ["Директор", "Методист", "Служител на филиал", "Наблюдател"], "Администратор"),
])
def test_the_template_lists_the_roles_she_may_give_and_her_places(director, locale, roles, above):
    response = director.get(f"/accountview/import/template?_l_={locale}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    data, lists = book.worksheets[0], book.worksheets[1]
    headings = [cell.value for cell in data[1]]
    role = next(n for n, h in enumerate(headings) if h.startswith(("Роль", "Роля")))
    listed = [[row[n] for row in lists.iter_rows(values_only=True) if row[n]] for n in range(len(headings))]
    assert listed[role] == roles and above not in str(listed)
    assert listed[headings.index("Организация" if locale == "ru" else "Организация")] == ["Залегощенский район"]
    assert BORTNOYE in listed[role + 2] and FOREIGN not in str(listed)
    assert not any("арол" in str(h) for h in headings)  # no password column
    # The Import button on her accounts list; the same template through the API.
    page = director.get(f"/accountview/list/?_l_={locale}").get_data(as_text=True)
    assert "/accountview/import/" in page
    assert director.get("/api/v1/account/import/template").status_code == 200


def test_each_wrong_cell_is_named_and_nothing_is_written(director, owner_engine):
    rows = _accounts(6)
    rows[1][6] = "2090"  # not yes or no
    rows[2][4] = "Библиотекарь-волшебник"  # no such role
    rows[3][4] = "Администратор"  # above Director
    rows[5][5] = FOREIGN  # a library of another district
    headings = [*HEADINGS, "Пароль"]
    rows = [[*row, "Secret-password-1"] for row in rows]
    for data, name in ((_xlsx(headings, rows), "accounts.xlsx"), (_csv(headings, rows), "accounts.csv")):
        answer = _post(director, data, name).get_json()
        assert (answer["created"], answer["refused"], answer["batch"]) == (2, 4, None), answer
        assert "passwords" not in answer
        errors = {(e["row"], e["column"]): e["message"] for e in answer["errors"]}
        assert errors[1, "Пароль"].startswith("Пароли не импортируются")
        assert errors[3, "Действует"] == "Укажите «да» или «нет»."
        assert errors[4, "Роль"].startswith("Выберите одно из значений: Директор; Методист")
        assert errors[5, "Роль"].startswith("Эта роль выше директора")
        assert errors[7, "Библиотека"] == f"«{FOREIGN}» не найдено."
        assert _count(owner_engine) == 0
    # The screen's preview says the same, row by row.
    page = director.post("/accountview/import/?_l_=ru", data={"file": (io.BytesIO(_xlsx(headings, rows)), "a.xlsx")},
                         content_type="multipart/form-data")
    words = re.sub(r"\s+", " ", visible_text(page.get_data(as_text=True)))
    assert "Будет добавлено 2" in words and "Отклонено 4" in words, words[:2000]
    assert "5 Роль Эта роль выше директора" in words
    assert _count(owner_engine) == 0


def test_imported_accounts_sign_in_with_the_password_shown_once(app, director, owner_engine):
    data = _xlsx(HEADINGS, _accounts(2))
    page = director.post("/accountview/import/?_l_=ru", data={"file": (io.BytesIO(data), "accounts.xlsx")},
                         content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    shown = director.post("/accountview/import/confirm?_l_=ru", data={"token": token})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    passwords = dict(re.findall(r"<td>(zal\.import\d)</td><td><code>([^<]+)</code>", shown.get_data(as_text=True)))
    assert set(passwords) == {"zal.import0", "zal.import1"}
    assert "распечатайте" in shown.get_data(as_text=True).lower()
    for username, password in passwords.items():
        login(app, username, password)
    with owner_engine.connect() as conn:
        placed = dict(conn.execute(text("SELECT u.username, t.name FROM ab_user u JOIN tenant t ON t.id = u.tenant_id "
                                        "WHERE u.username LIKE 'zal.import%'")).all())
        audit = " ".join(str(row) for row in conn.execute(text(
            "SELECT before, after FROM audit_entry WHERE table_name = 'ab_user' AND batch IS NOT NULL")))
        stored = conn.execute(text("SELECT password FROM ab_user WHERE username = 'zal.import0'")).scalar()
    assert placed == {"zal.import0": "Залегощенский район", "zal.import1": "Залегощенский район"}
    assert "zal.import0" in audit and not any(p in audit for p in passwords.values()) and stored not in audit
    assert passwords["zal.import0"] not in stored
    # The same file again: nothing to change (a user name in another case is the same account).
    again = _xlsx(HEADINGS, [[row[0].upper(), *row[1:]] for row in _accounts(2)])
    answer = _post(director, again, dry_run="false").get_json()
    assert (answer["created"], answer["updated"], answer["unchanged"], answer["batch"]) == (0, 0, 2, None)
    assert answer.get("passwords") in (None, {})
    # Signed in with since: the import is not undone.
    batch = re.search(r"/accountview/import/undo/(\w{32})", director.get("/accountview/import/").get_data(as_text=True))[1]
    refused = director.post(f"/accountview/import/undo/{batch}?_l_=ru", follow_redirects=True)
    assert "с тех пор изменились: ничего не отменено" in refused.get_data(as_text=True)
    assert _count(owner_engine) == 2


def test_an_update_changes_names_and_role_and_the_undo_takes_the_import_back(director, owner_engine):
    created = _post(director, _xlsx(HEADINGS, _accounts(2)), dry_run="false").get_json()
    assert created["created"] == 2 and set(created["passwords"]) == {"zal.import0", "zal.import1"}
    rows = _accounts(3)
    rows[0][2], rows[0][4] = "Петрова", "Наблюдатель"
    changed = _post(director, _xlsx(HEADINGS, rows), dry_run="false").get_json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (1, 1, 1), changed
    assert set(changed["passwords"]) == {"zal.import2"}  # of the accounts created only
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT last_name FROM ab_user WHERE username = 'zal.import0'")).scalar() == "Петрова"
    # Undone, latest first: the new account goes, the changed one is as it was.
    assert director.post(f"/accountview/import/undo/{changed['batch']}").status_code == 302
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT last_name FROM ab_user WHERE username = 'zal.import0'")).scalar() == \
            "Импортова 0"
        roles = conn.execute(text("SELECT r.name FROM ab_role r JOIN ab_user_role ur ON ur.role_id = r.id "
                                  "JOIN ab_user u ON u.id = ur.user_id WHERE u.username = 'zal.import0'")).scalars().all()
    assert roles == ["Methodologist"] and _count(owner_engine) == 2
    assert director.post(f"/accountview/import/undo/{created['batch']}").status_code == 302
    assert _count(owner_engine) == 0


def test_a_user_name_of_another_district_is_taken_and_nothing_more(app, owner_engine):
    stranger = login(app, "maglizh.director")
    rows = [["zal.branch", "Ольга", "Чужая", "olga@example.org", "Наблюдатель", "", "да"],
            ["ZAL.DIRECTOR", "Ольга", "Чужая", "olga2@example.org", "Наблюдатель", "", "да"],
            ["admin", "Ольга", "Чужая", "olga3@example.org", "Наблюдатель", "", "да"],
            ["maglizh.nobody", "Ольга", "Чужая", "olga4@example.org", "Наблюдатель", "", "да"]]
    answer = _post(stranger, _xlsx(HEADINGS, rows)).get_json()
    assert (answer["created"], answer["refused"]) == (1, 3), answer
    assert [(e["row"], e["column"], e["message"]) for e in answer["errors"]] == [
        (2, "Имя пользователя", "Это имя пользователя уже занято."),
        (3, "Имя пользователя", "Это имя пользователя уже занято."),
        (4, "Имя пользователя", "Это имя пользователя уже занято."),
    ]
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT last_name FROM ab_user WHERE username = 'zal.branch'")).scalar() != "Чужая"


def test_the_command_line_imports_accounts_and_prints_their_passwords(app, owner_engine, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes(_csv(HEADINGS, _accounts(2, prefix="zal.cli")))
    runner = app.test_cli_runner()
    try:
        preview = runner.invoke(args=["import", str(path), "--type", "account", "--tenant", "Залегощенский район",
                                      "--dry-run"])
        assert "created 2, updated 0, unchanged 0, refused 0" in preview.output and "initial" not in preview.output
        written = runner.invoke(args=["import", str(path), "--type", "account", "--tenant", "Залегощенский район"])
        assert written.exit_code == 0, written.output
        printed = dict(re.findall(r"^(zal\.cli\d)\t(\S+)$", written.output, re.M))
        assert set(printed) == {"zal.cli0", "zal.cli1"}
        login(app, "zal.cli1", printed["zal.cli1"])
    finally:
        _drop(owner_engine, "zal.cli%")
