"""Methodological work in the browser: the region's methodologist records a field visit to
two libraries of a district; the district's director finds it on her list."""
import datetime
import re

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

TOPIC = "Выезд: краеведческая работа сельских библиотек"


def test_regional_methodologist_records_a_field_visit_the_district_then_reads(web):
    page = web.page()
    web.login(page, "orel.methodologist")
    web.menu(page, "Работа", "Методическая работа")
    expect(page).to_have_url(re.compile(r"/methodactivityview/list/"))
    activities = page.url
    web.shots(page, "01-methodological-work")

    page.get_by_role("link", name="Добавить").click()
    expect(page.get_by_text("Добавить методическое мероприятие")).to_be_visible()
    web.shots(page, "02-add-field-visit", via=activities)
    web.choose(page, "kind", "Выезд")
    page.fill("#held_on", datetime.date.today().strftime("%d.%m.%Y"))  # the newest: first on the list
    page.keyboard.press("Escape")
    page.fill("#topic", TOPIC)
    web.choose(page, "tenant", "Орловская область")
    for library, search in (("Прилепская сельская библиотека", "Прилеп"), ("Сетушинская сельская библиотека", "Сетуш")):
        web.choose(page, "libraries", library, search=search)
    page.fill("#hours", "6")
    web.choose(page, "channel", "Очно")
    page.fill("#result", "Рекомендовано оформить краеведческие уголки.")
    web.shot(page, "03-field-visit-filled-ru")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись добавлена")
    row = web.row(page, TOPIC)
    expect(row).to_contain_text("Прилепская сельская библиотека, Сетушинская сельская библиотека")

    page = web.page()  # the district's director, in her own browser
    web.login(page, "zal.director")
    web.menu(page, "Работа", "Методическая работа")
    row = web.row(page, TOPIC)
    expect(row).to_contain_text("Орловская область")
    row.get_by_role("link", name="Просмотр").click()
    expect(page.locator("table").first).to_contain_text("Рекомендовано оформить краеведческие уголки.")
    expect(page.get_by_role("link", name="Редактировать")).to_have_count(0)  # the region's, read-only
    web.shots(page, "04-district-reads-the-visit")

    # The year's report: what the district itself did, last year beside; the region's visit is not its own.
    web.menu(page, "Работа", "Отчёт за год")
    expect(page.locator("h1")).to_contain_text("Методическая работа за")
    expect(page.locator("table.figures").first).to_contain_text("Выезды")  # the activities; meetings below
    web.shots(page, "05-report-of-the-year")
    page.get_by_role("link", name="2020").click()
    expect(page.locator("table.figures tr", has_text="Выезды").first).to_contain_text("144")
    web.expect_no_troubles()
