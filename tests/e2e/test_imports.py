"""Bringing a spreadsheet in, in the browser: the district director opens Import on the
staff list, downloads the template in her language, uploads a file with mistakes, reads
what to fix, imports the valid rows and undoes the import."""
import base64
import io
import re

import openpyxl

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

BORTNOYE = "Бортновская сельская библиотека"


def _workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["ФИО", "Должность", "Библиотека", "Образование", "Год рождения"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_director_imports_staff_from_a_spreadsheet_and_undoes_it(web):
    page = web.page()
    web.login(page, "zal.director")
    web.menu(page, "Библиотечная сеть", "Сотрудники")
    page.get_by_role("link", name="Импорт").click()
    expect(page.locator("h1")).to_have_text("Импорт: Сотрудники")
    web.shots(page, "01-import-page")

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачайте шаблон").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["ФИО *", "Должность *", "Библиотека *"]

    rows = [["Ёлкина Вера Ивановна", "Библиотекарь", BORTNOYE, "Высшее библиотечное", 1985],
            ["Гусев Олег Петрович", "Библиотекарь", BORTNOYE, "Незаконченное высшее", 2090],
            ["Лаврова Нина Сергеевна", "Заведующая", "Библиотека при НЧ „Светлина 1899“", "Высшее, другое", 1970]]
    page.set_input_files("#import-file", files=[{
        "name": "сотрудники.xlsx", "buffer": _workbook(rows),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator("#preview-title")).to_have_text("Что изменит файл сотрудники.xlsx")
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("Образование")
    expect(errors).to_contain_text("Введите год от")
    expect(errors).to_contain_text("«Библиотека при НЧ „Светлина 1899“» не найдено.")
    web.shot(page, "02-preview-with-mistakes-ru")

    page.get_by_label(re.compile("Импортировать только правильные строки")).check()
    page.get_by_role("button", name=re.compile("Импортировать: добавить — 1")).click()
    expect(page.locator(".alert-success")).to_contain_text("добавлено — 1")
    expect(web.row(page, "Ёлкина Вера Ивановна")).to_be_visible()
    web.shot(page, "03-imported-ru")

    page.get_by_role("link", name="Импорт").click()
    batches = page.locator("section.import-batches")
    expect(batches).to_contain_text("сотрудники.xlsx")
    web.shot(page, "04-latest-imports-ru")
    page.once("dialog", lambda dialog: dialog.accept())
    batches.get_by_role("button", name="Отменить").first.click()
    expect(page.locator(".alert-success")).to_contain_text("Импорт файла сотрудники.xlsx отменён.")
    expect(batches).to_contain_text("Отменён")
    web.shot(page, "05-undone-ru")
    web.expect_no_troubles()


def test_a_bulgarian_director_reads_the_preview_in_bulgarian(web):
    page = web.page("bg-BG")
    web.login(page, "maglizh.director")
    page.goto("/clubview/import/")
    expect(page.locator("h1")).to_contain_text("Импорт")
    book = openpyxl.Workbook()
    book.active.append(["Наименование", "Библиотека", "Аудитория", "Членове"])
    book.active.append(["Клуб „Приятели на книгата“", "Библиотека при НЧ „Светлина 1899“", "Възрастни", 12])
    book.active.append(["Клуб „Млад читател“", "Бортновская сельская библиотека", "Деца", "дванадесет"])
    out = io.BytesIO()
    book.save(out)
    page.set_input_files("#import-file", files=[{"name": "клубове.xlsx", "buffer": out.getvalue(),
                                                 "mimeType": "application/octet-stream"}])
    page.get_by_role("button", name="Провери файла").click()
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("„Бортновская сельская библиотека“ не е намерено.")
    expect(errors).to_contain_text("Въведете цяло число.")
    web.shot(page, "01-preview-bg")
    web.expect_no_troubles()


def test_a_large_files_check_shows_how_far_it_has_got(web):
    page = web.page("bg-BG")
    web.login(page, "maglizh.director")
    page.goto("/clubview/import/")
    book = openpyxl.Workbook()
    book.active.append(["Наименование", "Библиотека", "Аудитория", "Членове"])
    for i in range(4000):
        book.active.append([f"Клуб № {i}", "Библиотека при НЧ „Светлина 1899“", "Възрастни", 12])
    out = io.BytesIO()
    book.save(out)
    page.set_input_files("#import-file", files=[{"name": "клубове.xlsx", "buffer": out.getvalue(),
                                                 "mimeType": "application/octet-stream"}])
    # What the bar says while the server checks the rows (kept where the next page can read it).
    page.evaluate("""() => {
        const text = document.getElementById("import-busy-text");
        const bar = document.querySelector("#import-busy .progress-bar");
        new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem("seen") || "[]");
            seen.push([text.textContent, bar.style.width]);
            sessionStorage.setItem("seen", JSON.stringify(seen));
        }).observe(text, {childList: true, characterData: true, subtree: true});
    }""")
    page.get_by_role("button", name="Провери файла").click(no_wait_after=True)  # the answer takes seconds
    page.wait_for_timeout(2000)
    # Playwright's own screenshot waits for the next page: the browser's own is taken now.
    shot = page.context.new_cdp_session(page).send("Page.captureScreenshot")["data"]
    web.folder.mkdir(parents=True, exist_ok=True)
    (web.folder / "01-checking-bg.png").write_bytes(base64.b64decode(shot))
    expect(page.locator("#preview-title")).to_contain_text("клубове.xlsx", timeout=60_000)
    expect(page.locator("table.import-counts")).to_contain_text("4000")
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('seen') || '[]')")
    counted = [(re.search(r"Проверени редове: ([\d\s]+) от 4\s000", text), width) for text, width in seen]
    counted = [(int(re.sub(r"\s", "", found.group(1))), width) for found, width in counted if found]
    assert len(counted) >= 2 and counted == sorted(counted, key=lambda c: c[0]), seen
    assert counted[0][0] < 4000 and counted[0][1] != "100%", seen  # the bar grows with the rows
    web.expect_no_troubles()


def test_director_imports_accounts_and_reads_their_initial_passwords_once(web):
    page = web.page()
    web.login(page, "zal.director")
    page.goto("/accountview/list/")
    page.get_by_role("link", name="Импорт").click()
    expect(page.locator("h1")).to_have_text("Импорт: Учётные записи")
    web.shots(page, "06-accounts-import-page")
    book = openpyxl.Workbook()
    book.active.append(["Имя пользователя", "Имя", "Фамилия", "Электронная почта", "Роль", "Библиотека", "Пароль"])
    book.active.append(["zal.e2e.reader", "Вера", "Ёлкина", "vera.e2e@example.org", "Сотрудник филиала", BORTNOYE, "x"])
    book.active.append(["zal.e2e.boss", "Олег", "Гусев", "oleg.e2e@example.org", "Администратор", "", ""])
    out = io.BytesIO()
    book.save(out)
    page.set_input_files("#import-file", files=[{"name": "учётные записи.xlsx", "buffer": out.getvalue(),
                                                 "mimeType": "application/octet-stream"}])
    page.get_by_role("button", name="Проверить файл").click()
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("Пароли не импортируются")
    expect(errors).to_contain_text("Эта роль выше директора")
    web.shot(page, "07-accounts-preview-ru")
    page.get_by_label(re.compile("Импортировать только правильные строки")).check()
    page.get_by_role("button", name=re.compile("Импортировать: добавить — 1")).click()
    expect(page.locator("h1")).to_have_text("Начальные пароли")
    expect(page.locator("table.initial-passwords")).to_contain_text("zal.e2e.reader")
    web.shot(page, "08-accounts-initial-passwords-ru")
    password = page.locator("table.initial-passwords code").first.inner_text()
    other = web.page("bg-BG")
    web.login(other, "zal.e2e.reader", password)
    # The given password is for the first sign-in only: she chooses her own before anything else.
    expect(other.locator(".alert")).to_contain_text("Придумайте собственный пароль")  # her district speaks Russian
    expect(other).to_have_url(re.compile(r"/resetmypassword/form"))
    web.shot(other, "09-first-sign-in")
    other.goto("/clubview/list/")
    expect(other).to_have_url(re.compile(r"/resetmypassword/form"))
    other.fill("#current_password", password)
    other.fill("#password", "Moya-sobstvennaya-2026")
    other.fill("#conf_password", "Moya-sobstvennaya-2026")
    other.locator("form [type=submit]").last.click()
    other.goto("/clubview/list/")
    expect(other).to_have_url(re.compile(r"/clubview/list/"))
    # Shown once: the list does not show it again.
    page.get_by_role("link", name="К списку учётных записей").click()
    expect(web.row(page, "zal.e2e.reader")).to_be_visible()
    assert password not in page.content()
    web.expect_no_troubles()


def _figures(headings, rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headings)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_statistical_figures_preview_in_russian_and_bulgarian(web):
    """A district's figures for the year: the preview names the wrong cells (nothing written)."""
    page = web.page()
    web.login(page, "zal.methodologist")
    page.goto("/statreportview/list/")
    page.get_by_role("link", name="Импорт").click()
    rows = [["Золотаревская сельская библиотека", 2025, 300, "неизвестно", 1000, 0],
            ["Моховская сельская библиотека", 2025, "много", 100, 10, 0],
            ["Библиотека при НЧ „Светлина 1899“", 2025, 10, 10, 10, 0],
            ["Грачевская сельская библиотека", 2024, 999, None, None, None]]
    page.set_input_files("#import-file", files=[{
        "name": "показатели-2025.xlsx", "mimeType": "application/octet-stream",
        "buffer": _figures(["Библиотека", "Год", "users_total", "visits_total", "loans_onsite", "loans_remote"], rows)}])
    page.get_by_role("button", name="Проверить файл").click()
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("«Библиотека при НЧ „Светлина 1899“» не найдено.")
    web.shot(page, "09-stat-reports-preview-ru")

    page = web.page("bg-BG")
    web.login(page, "sz.methodologist")
    page.goto("/statreportview/import/")
    rows = [["Библиотека при НЧ „Светлина 1899“", 2023, 1000, "няма данни", 50],
            ["Библиотека при НЧ „Светлина 1899“", 2024, 1000, 100, 50],
            ["Бортновская сельская библиотека", 2025, 10, 10, 10]]
    page.set_input_files("#import-file", files=[{
        "name": "показатели.xlsx", "mimeType": "application/octet-stream",
        "buffer": _figures(["Библиотека", "Година", "stock_start", "Отчислени", "added_purchase"], rows)}])
    page.get_by_role("button", name="Провери файла").click()
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("„Бортновская сельская библиотека“ не е намерено.")
    web.shot(page, "10-stat-reports-preview-bg")
    web.expect_no_troubles()
