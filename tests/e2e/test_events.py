"""The events journal in the browser: a branch librarian plans an event, then records it
held with its attendance, as she would at the end of the day."""
import datetime
import re

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

HER_LIBRARY = "Бортновская сельская библиотека"  # Залегощенский район
TITLE = "Час истории «Бортное: люди и судьбы»"


def test_branch_librarian_plans_an_event_and_records_it_held(web):
    page = web.page()
    web.login(page, "zal.branch")
    web.menu(page, "Работа", "Мероприятия")
    expect(page).to_have_url(re.compile(r"/eventview/list/"))
    expect(web.row(page, "Краеведческий час «Бортное: страницы истории»")).to_contain_text("Проведено")
    events = page.url
    web.shots(page, "01-events")

    page.get_by_role("link", name="Добавить").click()
    expect(page.get_by_text("Добавить мероприятие")).to_be_visible()
    web.shots(page, "02-add-event", via=events)
    ahead = datetime.date.today() + datetime.timedelta(days=3)
    page.fill("#title", TITLE)
    web.choose(page, "library", HER_LIBRARY)
    page.fill("#held_on", ahead.strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")
    page.fill("#starts_at", "14:00")
    web.choose(page, "form", "Лекция или беседа")
    web.choose(page, "theme", "Краеведение")
    web.choose(page, "club", "Краевед")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись добавлена")
    row = web.row(page, TITLE)
    expect(row).to_contain_text("Запланировано")
    expect(row).to_contain_text(ahead.strftime("%d.%m.%Y"))

    # Held, today: she types the attendance, and children and youth above it by mistake.
    row.get_by_role("link", name="Редактировать").click()
    today = datetime.date.today()
    page.fill("#held_on", today.strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")
    web.choose(page, "status", "Проведено")
    page.fill("#attendance", "12")
    page.fill("#children", "9")
    page.fill("#youth", "5")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Дети и молодёжь вместе не могут превышать число посетителей.")).to_be_visible()
    web.shot(page, "03-parts-above-the-whole-ru")
    page.fill("#youth", "3")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Запись изменена")
    row = web.row(page, TITLE)
    expect(row).to_contain_text("Проведено")
    expect(row).to_contain_text("12")
    web.shots(page, "04-event-held")

    # The month's plan: her event among the district's, under today's date; printed on A4.
    web.menu(page, "Работа", "План на месяц")
    expect(page.locator("h1")).to_contain_text("План мероприятий на")
    day = page.locator("tbody.plan-day", has_text=today.strftime("%d.%m.%Y"))
    expect(day).to_contain_text(TITLE)
    expect(page.locator(".plan-summary")).to_contain_text("проведено:")
    web.shots(page, "05-plan-of-the-month")
    page.select_option("#plan-library", label=HER_LIBRARY)
    page.get_by_role("button", name="Применить").click()
    expect(page.locator("p.lead")).to_have_text(HER_LIBRARY)
    expect(page.locator("table.plan")).not_to_contain_text("Межпоселенческая районная библиотека")
    page.get_by_role("link", name="Предыдущий месяц").click()
    expect(page.locator("p.lead")).to_have_text(HER_LIBRARY)  # the library stays chosen
    web.shot(page, "06-her-library-last-month-ru")
    web.expect_no_troubles()
