"""The year's statistics as the dashboard and the summary show them: a branch librarian is
told her library's report waits for her and is late; the district's director reads who has
reported and the figures of the approved reports, beside the year before."""
import re

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None


def test_the_dashboard_says_what_waits_and_the_summary_who_has_reported(web):
    page = web.page()
    web.login(page, "zal.branch")
    waiting = page.locator("section.waiting")
    expect(waiting).to_contain_text("Ждёт ваших действий")
    expect(waiting).to_contain_text("Бортновская сельская библиотека")
    web.shots(page, "01-dashboard-waiting")
    web.logout(page, "Выйти")

    web.login(page, "zal.director")
    web.menu(page, "Работа", "Сводный отчёт за год")
    expect(page).to_have_url(re.compile(r"/stat-summary/"))
    page.get_by_role("link", name="2024", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Сводный статистический отчёт за 2024 год")
    expect(page.locator("table.reporters")).to_contain_text("Утверждён")
    expect(page.locator("table.figures").first).to_contain_text("Число зарегистрированных пользователей")
    web.shots(page, "02-summary-2024")
    page.get_by_role("link", name="2025", exact=True).click()
    expect(page.locator("table.reporters")).to_contain_text("Не начат")
    web.shots(page, "03-summary-2025")
    web.expect_no_troubles()
