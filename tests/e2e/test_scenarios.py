"""What people of a library network do with Libnet, in the browser, as they would do it.

Each test is one person's errand; it checks what that person would notice: the texts of
the page in their language, flash messages, rows of lists, addresses, downloaded files.
"""
import datetime
import re

import openpyxl

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

HER_LIBRARY = "Библиотека при НЧ „Светлина 1899“"  # Мъглиж, Стара Загора


def test_branch_librarian_adds_a_club_for_her_library(web):
    """Мъглиж's librarian adds a club; she can neither reach nor choose another library's."""
    # Her browser asks for English; her municipality speaks Bulgarian, and that wins.
    page = web.page(locale="en-US")
    web.login(page, "maglizh.branch")
    expect(page.locator("h1")).to_contain_text("Мъглиж")
    expect(page.locator("h1")).to_contain_text("Обобщение")
    expect(page.get_by_text("Данните за служителите обхващат само служителите на вашата библиотека.")).to_be_visible()
    web.shots(page, "01-dashboard")

    web.menu(page, "Библиотечна мрежа", "Клубове по интереси")
    expect(page).to_have_url(re.compile(r"/clubview/list/"))
    expect(web.row(page, "Клуб по интереси „Приятели на книгата“")).to_contain_text(HER_LIBRARY)
    expect(web.row(page, "Клуб по интереси „Сръчни ръце“")).to_have_count(0)  # Павел баня's
    clubs = page.url
    web.shots(page, "02-clubs")

    page.get_by_role("link", name="Добави").click()
    expect(page.get_by_text("Добави клуб")).to_be_visible()
    web.shots(page, "03-add-club", via=clubs)

    # The library field offers her own library, and nothing else whatever she types.
    options = web.open_select(page, "library")
    expect(options).to_have_text([HER_LIBRARY])
    page.keyboard.type("Пробуда")  # another library of Мъглиж
    expect(options).to_have_text(["Няма намерени резултати"])
    page.keyboard.press("Control+A")
    page.keyboard.type("Надежда")  # a library of Павел баня
    expect(options).to_have_text(["Няма намерени резултати"])
    page.keyboard.press("Escape")

    web.choose(page, "library", HER_LIBRARY)
    page.fill("#name", "Клуб по интереси „Млади читатели“")
    web.choose(page, "audience", "Младежи")
    page.fill("#founded_year", "2024")
    page.fill("#members", "9")
    page.fill("#schedule", "всеки четвъртък, 16.00")
    page.fill("#description", "Четения и разговори за книги с ученици от гимназията.")
    page.get_by_role("button", name="Запази").click()

    expect(page.locator(".alert-success")).to_contain_text("Записът е добавен")
    expect(page).to_have_url(re.compile(r"/clubview/list/"))
    row = web.row(page, "Клуб по интереси „Млади читатели“")
    expect(row).to_contain_text(HER_LIBRARY)
    expect(row).to_contain_text("Младежи")
    web.shot(page, "04-club-added-bg")

    # A link to a club of Павел баня (a colleague there might send one): not found, as if
    # it did not exist; its edit form neither.
    other = web.server.scalar("SELECT id FROM club WHERE name = ?", "Клуб по интереси „Сръчни ръце“")
    for path in (f"/clubview/show/{other}", f"/clubview/edit/{other}"):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.locator(".lead")).to_have_text(
            "Не е намерено: такава страница или запис няма или не е достъпен за вас.")
        expect(page.get_by_text("Сръчни ръце")).to_have_count(0)
    web.shots(page, "05-other-municipality-not-found")
    web.forget_troubles()  # the browser logs those 404s
    web.expect_no_troubles()


def test_district_director_updates_hours_and_closes_a_library(web):
    """Залегощенский район's director: new working hours; a library with staff is closed,
    not deleted."""
    page = web.page()
    web.login(page, "zal.director")
    expect(page.locator("h1")).to_contain_text("Залегощенский район")
    expect(page.locator("h1")).to_contain_text("Сводка")

    web.menu(page, "Библиотечная сеть", "Библиотеки")
    expect(page).to_have_url(re.compile(r"/libraryview/list/"))
    libraries = page.url
    web.shots(page, "01-libraries")

    # New working hours.
    hours = "вт–сб 9:00–17:00, перерыв 13:00–14:00; выходные — вс, пн"
    web.row(page, "Верхнескворченская сельская библиотека").get_by_role("link", name="Редактировать").click()
    expect(page.get_by_text("Редактировать библиотеку")).to_be_visible()
    web.shots(page, "02-edit-library", via=libraries)
    page.fill("#working_hours", hours)
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись изменена")
    expect(page).to_have_url(re.compile(r"/libraryview/list/"))
    web.row(page, "Верхнескворченская сельская библиотека").get_by_role("link", name="Просмотр").click()
    expect(page.locator("table").first).to_contain_text(hours)  # the record, above its staff and clubs
    web.shots(page, "03-library-with-new-hours")

    # Deleting a library that still has its staff is refused, and says why.
    web.menu(page, "Библиотечная сеть", "Библиотеки")
    web.row(page, "Бортновская сельская библиотека").get_by_role("link", name="Удалить").click()
    expect(page.locator("#modal-confirm")).to_be_visible()
    page.locator("#modal-confirm-ok").click()
    refusal = page.locator(".alert-danger")
    expect(refusal).to_contain_text("Нельзя удалить «Бортновская сельская библиотека»")
    expect(refusal).to_contain_text("1 сотрудник")
    expect(refusal).to_contain_text("Закройте её")
    web.shot(page, "04-delete-refused-ru")

    # So she closes it: status "Закрыта", with the day it closed.
    web.menu(page, "Библиотечная сеть", "Библиотеки")  # (the refusal left her on another page)
    expect(web.row(page, "Бортновская сельская библиотека")).to_contain_text("Действует")
    libraries = page.url
    web.row(page, "Бортновская сельская библиотека").get_by_role("link", name="Редактировать").click()
    web.choose(page, "status", "Закрыта")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Для закрытой библиотеки укажите дату закрытия.")).to_be_visible()
    web.shot(page, "05-closing-date-missing-ru")

    page.locator("#closed_on").click()  # the calendar, in Russian
    calendar = page.locator(".datepicker-days")
    expect(calendar.locator(".datepicker-switch")).to_have_text(re.compile(r"^[А-ЯЁ][а-яё]+ \d{4}$"))
    expect(calendar.locator("th.dow").first).to_have_text("пн")
    web.shot(page, "06-calendar-ru")
    calendar.locator("td.day:not(.old):not(.new)", has_text=re.compile(r"^1$")).click()
    first_of_month = datetime.date.today().replace(day=1)
    expect(page.locator("#closed_on")).to_have_value(first_of_month.strftime("%d.%m.%Y"))  # as lists show it
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись изменена")
    expect(page).to_have_url(libraries)
    expect(web.row(page, "Бортновская сельская библиотека")).to_contain_text("Закрыта")
    web.shots(page, "07-library-closed")
    web.expect_no_troubles()


def test_regional_methodologist_judges_an_entry_and_exports_the_list(web, tmp_path):
    """Орловская область's methodologist: the region's dashboard, a district's, a contest
    result, and the entries as a workbook."""
    page = web.page()
    web.login(page, "orel.methodologist")
    expect(page.locator("h1")).to_contain_text("Орловская область")
    expect(page.locator("h1")).to_contain_text("Сводка")
    web.shots(page, "01-region-dashboard")

    page.locator("table.figures a", has_text="Залегощенский район").first.click()
    expect(page).to_have_url(re.compile(r"/dashboard/\d+$"))
    expect(page.locator("h1")).to_contain_text("Залегощенский район")
    expect(page.locator(".breadcrumb")).to_contain_text("Орловская область")
    expect(page.locator("table.figures").first).to_contain_text("Бортновская сельская библиотека")
    web.shots(page, "02-district-dashboard")

    # A contest result: the book exhibition of Бортное gets an award.
    entry = "Книжная выставка «Орловский край литературный»"
    web.menu(page, "Библиотечная сеть", "Заявки на конкурсы")
    entries = page.url
    web.shots(page, "03-contest-entries")
    web.row(page, entry).get_by_role("link", name="Редактировать").click()
    expect(page.get_by_text("Редактировать заявку на конкурс")).to_be_visible()
    web.shots(page, "04-edit-entry", via=entries)
    web.choose(page, "result", "Награда")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись изменена")
    expect(web.row(page, entry)).to_contain_text("Награда")
    web.shot(page, "05-result-saved-ru")

    # The list as XLSX: what the list shows, every row of it, in Russian.
    count = int(re.search(r"Количество записей: (\d+)", page.locator("body").inner_text()).group(1))
    headings = [h.strip() for h in page.locator("table thead th").all_inner_texts() if h.strip()]
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert re.fullmatch(r"contest_entry-\d{4}-\d{2}-\d{2}\.xlsx", download.value.suggested_filename)
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Заявки на конкурсы"
    assert rows[0] == headings == ["Название", "Конкурс", "Библиотека", "Номинация", "Дата подачи", "Итог"]
    assert len(rows) - 1 == count == 9  # the district's entries; none of Иркутская область's
    judged = [row for row in rows if row[0] == entry]
    assert judged and judged[0][2] == "Бортновская сельская библиотека" and judged[0][5] == "Награда"
    assert not any(row[0] == "Летопись села Алымовка" for row in rows)
    web.expect_no_troubles()


def test_director_creates_a_branch_staff_account_that_can_sign_in(web):
    """Киренский район's director gives the librarian of Алымовка her own account."""
    page = web.page()
    web.login(page, "kir.director")
    web.menu(page, "Библиотечная сеть", "Учётные записи")
    expect(page).to_have_url(re.compile(r"/accountview/list/"))
    expect(web.row(page, "kir.director")).to_contain_text("Директор")
    accounts = page.url
    web.shots(page, "01-accounts")

    page.get_by_role("link", name="Новая учётная запись").click()  # the add button says what it adds
    expect(page.get_by_text("Новая учётная запись")).to_be_visible()
    web.shots(page, "02-add-account", via=accounts)
    page.fill("#username", "alymovka.branch")
    page.fill("#first_name", "Ольга")
    page.fill("#last_name", "Непомнящих")
    page.fill("#email", "alymovka.branch@example.org")
    web.choose(page, "library", "Алымовская сельская библиотека")
    page.get_by_label("Сотрудник филиала", exact=True).check()  # the roles: a checkbox each
    page.fill("#password", "Alymovka-reading-2026")
    page.fill("#conf_password", "Alymovka-reading-2026")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.locator(".alert-success")).to_contain_text("Запись добавлена")
    expect(page).to_have_url(re.compile(r"/accountview/list/"))
    row = web.row(page, "alymovka.branch")
    for shown in ("Ольга", "Непомнящих", "Киренский район", "Алымовская сельская библиотека",
                  "Сотрудник филиала"):
        expect(row).to_contain_text(shown)
    web.shot(page, "03-account-added-ru")

    # The new account signs in, in a browser of its own.
    hers = web.page()
    web.login(hers, "alymovka.branch", "Alymovka-reading-2026")
    # The director chose that password: she chooses her own first.
    expect(hers).to_have_url(re.compile(r"/resetmypassword/form"))
    expect(hers.locator(".alert")).to_contain_text("Придумайте собственный пароль")
    hers.fill("#current_password", "Alymovka-reading-2026")
    hers.fill("#password", "Olga-own-password-2026")
    hers.fill("#conf_password", "Olga-own-password-2026")
    hers.get_by_role("button", name="Сохранить").click()
    expect(hers.locator(".alert-info")).to_be_visible()
    expect(hers.locator("h1")).to_contain_text("Киренский район")
    expect(hers.get_by_text("Показатели персонала учитывают только сотрудников вашей библиотеки.")).to_be_visible()
    expect(hers.locator(".navbar")).to_contain_text("Ольга Непомнящих")  # her name, at the top right
    web.shots(hers, "04-new-account-dashboard")
    web.expect_no_troubles()


def test_language_choice_is_kept_across_logins(web):
    """Someone switches to Bulgarian, signs out and in again: still Bulgarian.

    The choice is kept on the account: this test uses an account no other test uses,
    and switches back to Russian at the end."""
    page = web.page()  # a Russian browser
    web.login(page, "orel.viewer")
    expect(page.locator("h1")).to_contain_text("Сводка")
    web.shots(page, "01-dashboard")

    web.pick_language(page, "Български")
    expect(page.locator("h1")).to_contain_text("Обобщение")
    expect(page.locator(".navbar")).to_contain_text("Библиотечна мрежа")
    web.shot(page, "02-switched-to-bg")

    web.logout(page, "Изход")
    expect(page.get_by_text("Имя пользователя:")).to_be_visible()  # signed out: the browser's language
    web.shots(page, "03-login")

    web.login(page, "orel.viewer")
    expect(page.locator("h1")).to_contain_text("Обобщение")
    expect(page.locator(".navbar")).to_contain_text("Библиотечна мрежа")
    web.shot(page, "04-signed-in-again-bg")

    web.pick_language(page, "Русский")
    expect(page.locator("h1")).to_contain_text("Сводка")
    web.shot(page, "05-back-to-ru")
    web.expect_no_troubles()
