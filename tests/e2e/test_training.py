"""Training in the browser: the regional methodologist of Стара Загора records a seminar
attended by staff of two municipalities; Мъглиж's director opens her librarian's card and
finds it in her training history, read-only. Залегощенский район's director reads its
training school, its classes and the year's staff trained."""
import datetime
import re

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

TOPIC = "Семинар: електронен каталог в читалищната библиотека"
MAGLIZH = "Стоянка Иванова Ненова"  # Библиотека при НЧ „Пробуда 1927“, Мъглиж
PAVEL_BANYA = "Радостина Колева Пенчева"  # Библиотека при НЧ „Надежда 1895“, Павел баня


def test_regional_seminar_enters_the_training_history_of_district_staff(web):
    page = web.page(locale="bg-BG")
    web.login(page, "sz.methodologist")
    web.menu(page, "Дейност", "Методическа дейност")
    expect(page).to_have_url(re.compile(r"/methodactivityview/list/"))
    activities = page.url

    page.get_by_role("link", name="Добави").click()
    expect(page.get_by_text("Добави методическа дейност")).to_be_visible()
    web.shots(page, "01-add-seminar", via=activities)
    web.choose(page, "kind", "Семинар")
    page.fill("#held_on", datetime.date.today().strftime("%d.%m.%Y"))  # the newest: first on the list
    page.keyboard.press("Escape")
    page.fill("#topic", TOPIC)
    web.choose(page, "tenant", "Област Стара Загора")
    for person, search in ((MAGLIZH, "Стоянка"), (PAVEL_BANYA, "Радостина")):
        web.choose(page, "attendees", person, search=search)
    page.fill("#others", "2")
    page.fill("#hours", "6")
    web.choose(page, "channel", "Присъствено")
    web.shot(page, "02-seminar-filled-bg")
    page.get_by_role("button", name="Запази").click()
    expect(page.locator(".alert-success")).to_contain_text("Записът е добавен")
    row = web.row(page, TOPIC)
    expect(row).to_contain_text("Област Стара Загора")
    row.get_by_role("link", name="Преглед").click()
    expect(page.locator("table").first).to_contain_text(f"{PAVEL_BANYA}, {MAGLIZH}")  # by name
    web.shots(page, "03-seminar-card")

    page = web.page(locale="bg-BG")  # Мъглиж's director, in her own browser
    web.login(page, "maglizh.director")
    web.menu(page, "Библиотечна мрежа", "Служители")
    web.row(page, MAGLIZH).get_by_role("link", name="Преглед").click()
    history = page.locator("section.related-records", has_text="Методическа дейност")
    training = web.row(history, TOPIC)
    expect(training).to_contain_text("Област Стара Загора")
    expect(training.get_by_role("link", name="Преглед")).to_have_count(1)
    expect(training.get_by_role("link", name=re.compile("Редактирай"))).to_have_count(0)  # the region's
    expect(page.get_by_text(PAVEL_BANYA)).to_have_count(0)  # Павел баня's staff: not hers to read
    web.shots(page, "04-staff-card-history")
    training.get_by_role("link", name="Преглед").click()
    expect(page.locator("table").first).to_contain_text(TOPIC)
    expect(page.locator("table").first).to_contain_text(MAGLIZH)
    expect(page.locator("table").first).not_to_contain_text(PAVEL_BANYA)
    expect(page.locator(".record-actions").get_by_role("link", name="Редактирай")).to_have_count(0)
    web.shots(page, "05-district-reads-the-seminar")
    web.expect_no_troubles()


def test_district_reads_its_training_school_and_the_staff_trained(web):
    page = web.page()
    web.login(page, "zal.director")
    web.menu(page, "Работа", "Программы обучения")
    row = web.row(page, "Школа библиотечного мастерства")
    expect(row).to_contain_text("Залегощенский район")
    web.shots(page, "01-programmes")
    row.get_by_role("link", name="Просмотр").click()
    classes = page.locator("section.related-records", has_text="Занятия программ")
    expect(classes.locator("tbody tr")).to_have_count(4)
    expect(classes.locator("tbody tr").first).to_contain_text("Азы")
    web.shots(page, "02-school-and-its-classes")
    web.row(classes, "Азы").get_by_role("link", name="Просмотр").click()
    sessions = page.locator("section.related-records", has_text="Методическая работа")
    expect(sessions).to_contain_text("Школа библиотечного мастерства, класс «Азы»")
    web.shots(page, "03-class-and-its-sessions")

    web.menu(page, "Работа", "Отчёт за год")
    page.get_by_role("link", name="2020").click()
    figures = page.locator("table.figures")
    expect(figures.locator("tr", has_text="Обучено сотрудников (без повторов)")).to_contain_text("11")
    expect(figures.locator("tr", has_text="Занятий: Школа библиотечного мастерства")).to_contain_text("4")
    web.shots(page, "04-report-staff-trained")
    web.expect_no_troubles()
