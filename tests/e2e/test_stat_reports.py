"""The annual statistical report in the browser: a branch librarian fills her library's
2025 report beside last year's figures, sees a total follow its parts as she types, saves a
draft whatever the checks say, and is told what stops submission."""
import re

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

HER_LIBRARY = "Бортновская сельская библиотека"


def test_branch_librarian_fills_her_annual_report(web):
    page = web.page()
    web.login(page, "zal.branch")
    web.menu(page, "Работа", "Статистические отчёты")
    expect(page).to_have_url(re.compile(r"/statreportview/list/"))
    web.shots(page, "01-reports")

    web.row(page, HER_LIBRARY).filter(has_text="2025").get_by_role("link", name="Просмотр").click()
    expect(page.locator("body")).to_contain_text("Черновик")
    card = page.url
    page.get_by_role("link", name="Редактировать").click()
    expect(page.locator("h1")).to_contain_text("6-НК: 2025")
    web.shots(page, "02-entry", via=card)

    # The loans total follows its parts as she types them, and cannot be typed itself.
    page.fill("#v_loans_onsite", "9 000")
    page.fill("#v_loans_remote", "150")
    expect(page.locator("#v_loans_total")).to_have_value("9150")
    expect(page.locator("#v_loans_total")).to_have_attribute("readonly", "")
    # Visits jump by far more than a fifth since last year; children above the users on site.
    page.fill("#v_visits_total", "8000")
    page.fill("#v_users_children", "500")
    page.check("input[name=u_users_remote]")
    expect(page.locator("#v_users_remote")).to_be_disabled()
    page.get_by_role("button", name="Сохранить и отправить").click()
    expect(page.locator(".alert-danger").first).to_contain_text("Отчёт нельзя отправить")
    expect(page.locator("#f-visits_total")).to_have_class(re.compile("warning|danger"))
    expect(page.locator("#v_loans_total")).to_have_value("9150")
    expect(page.locator("input[name=u_users_remote]")).to_be_checked()
    web.shots(page, "03-entry-refused", via=card)
    web.expect_no_troubles()


def test_district_director_returns_a_report_with_a_comment(web):
    page = web.page()
    web.login(page, "zal.director")
    web.menu(page, "Работа", "Статистические отчёты")
    web.row(page, "Грачевская сельская библиотека").filter(has_text="2025").get_by_role("link", name="Просмотр").click()
    expect(page.locator("body")).to_contain_text("Отправлен")
    expect(page.get_by_role("link", name="Редактировать")).to_have_count(0)  # she checks, she does not fill
    web.shots(page, "01-card")

    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.locator(".alert-danger")).to_contain_text("Заполните поле «Что исправить»")
    page.fill("#step-comment", "Уточните число посещений: в 2024 году было 4 105")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.locator(".alert-success")).to_contain_text("Выполнено")
    history = page.locator(".related-records", has_text="История отчёта")
    expect(history).to_contain_text("Возвращён на доработку")
    expect(history).to_contain_text("Уточните число посещений")
    web.shots(page, "02-returned")
    web.expect_no_troubles()
