"""Every main screen loads cleanly in the browser: no script error, nothing refused by the
Content-Security-Policy, no failed load, and the widgets FAB's scripts draw speak the
page's language."""
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

SCREENS = [
    "/", "/libraryview/list/", "/libraryview/add", "/staffview/list/", "/staffview/add",
    "/clubview/list/", "/clubview/add", "/outreachview/list/", "/outreachview/add",
    "/contestview/list/", "/contestview/add", "/contestentryview/list/", "/contestentryview/add",
    "/tenantview/list/", "/accountview/list/", "/accountview/add", "/auditview/list/",
    "/users/userinfo/",
]
NO_RESULTS = {"ru": "Ничего не найдено", "bg": "Няма намерени резултати"}


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_main_screens_load_without_browser_errors(web, lang):
    page = web.page()
    web.login(page, "zal.director")
    library = web.server.scalar("SELECT id FROM library WHERE name = ?", "Бортновская сельская библиотека")
    district = web.server.scalar("SELECT id FROM tenant WHERE code = 'ORL-ZAL'")
    screens = [*SCREENS, f"/libraryview/show/{library}", f"/libraryview/edit/{library}",
               f"/dashboard/{district}", f"/passport/{district}"]
    for path in screens:
        response = page.goto(f"{path}?_l_={lang}")
        assert response.ok, f"{path}: {response.status}"
        page.wait_for_load_state("load")
    web.shot(page, f"passport-{lang}")

    # A relation field asks the server as one types, and says so in the page's language.
    page.goto(f"/clubview/add?_l_={lang}")
    options = web.open_select(page, "library")
    expect(options.first).to_have_text(re.compile(r"библиотека$"))  # the district's, by name
    page.keyboard.type("нет такой библиотеки")
    expect(options).to_have_text([NO_RESULTS[lang]])
    web.shot(page, f"select-no-results-{lang}")
    page.keyboard.press("Escape")

    # Actions on no row at all: FAB's alert, in the page's language.
    page.goto(f"/clubview/list/?_l_={lang}")
    page.locator("button.dropdown-toggle", has_text=re.compile("Действия")).click()
    page.locator(".dropdown-menu:visible a").first.click()
    expect(page.locator("#modal-alert")).to_be_visible()
    expect(page.locator("#modal-alert .modal-text")).not_to_contain_text("No row selected")
    web.shot(page, f"no-row-selected-{lang}")
    web.expect_no_troubles()
