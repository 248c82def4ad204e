"""What the scenarios once ran into, in the forms: where a refused delete leaves the user,
a value that may stay unset, and the account form in the user's language."""
import re


try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

QUICK_MS = 1_500  # these pages have loaded already: what they show will not change


def test_a_refused_delete_leaves_the_user_on_the_list(web):
    page = web.page(locale="bg-BG")
    web.login(page, "sz.director")
    web.menu(page, "Библиотечна мрежа", "Библиотеки")
    web.row(page, "Библиотека при НЧ „Пробуда 1927“").get_by_role("link", name="Изтрий").click()
    page.locator("#modal-confirm-ok").click()
    expect(page.locator(".alert-danger")).to_contain_text("Не може да се изтрие «Библиотека при НЧ „Пробуда 1927“»")
    expect(page).to_have_url(re.compile(r"/libraryview/list/"), timeout=QUICK_MS)


def test_saving_an_entry_not_judged_yet_keeps_it_unjudged(web):
    entry = "Сельская библиотека: вчера, сегодня, завтра"
    page = web.page()
    web.login(page, "zal.methodologist")
    web.menu(page, "Библиотечная сеть", "Заявки на конкурсы")
    expect(web.row(page, entry).locator("td").last).to_have_text("")
    web.row(page, entry).get_by_role("link", name="Редактировать").click()
    page.fill("#nomination", "Лучшая публикация о сельской библиотеке")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись изменена")
    expect(web.row(page, entry)).to_contain_text("Лучшая публикация о сельской библиотеке")
    expect(web.row(page, entry).locator("td").last).to_have_text("", timeout=QUICK_MS)


def test_the_account_form_speaks_the_users_language(web):
    page = web.page(locale="bg-BG")
    web.login(page, "maglizh.director")
    page.goto("/accountview/add")
    expect(page.get_by_text("Нов потребителски профил")).to_be_visible()
    roles = web.open_select(page, "roles")
    expect(roles).to_have_count(4)
    for english in ("Director", "Methodologist", "Branch staff", "Viewer"):
        expect(roles.filter(has_text=english)).to_have_count(0, timeout=QUICK_MS)
    page.keyboard.press("Escape")
    expect(page.locator(".select2-selection__rendered", has_text="__None")).to_have_count(0, timeout=QUICK_MS)
