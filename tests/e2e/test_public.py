"""A visitor who is not signed in reads a district's public pages in the browser: its libraries
and its calendar, in the district's language whatever the browser's, with nothing refused by
the page's policy, and pages that pass axe-core and the W3C checker (tests/e2e/test_audit.py)."""
import re

from .test_audit import _axe, _tools, _vnu

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None


def test_a_visitor_reads_a_russian_districts_libraries_and_calendar(web):
    """Someone in Залегощь, on a phone-sized window, finds a rural library's hours and what
    is on this month; the page is the one the district library's site shows in a frame."""
    page = web.page(locale="bg-BG")  # the browser's language does not matter: the district's does
    page.set_viewport_size({"width": 760, "height": 900})
    response = page.goto("/public/ORL-ZAL/")
    assert response.status == 200 and "set-cookie" not in response.headers
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_title("Библиотеки · Залегощенский район")
    expect(page.locator(".navbar")).to_have_count(0)  # no signed-in menu, no login link
    library = page.locator("article", has_text="Бортновская сельская библиотека")
    expect(library).to_contain_text("с. Бортное")
    expect(library).to_contain_text("вт–сб 10:00–16:00")
    expect(library).to_contain_text("Краевед")
    expect(library).to_contain_text("Обслуживание на дому, с. Бортное")
    expect(page.get_by_text("Тимошина")).to_have_count(0)  # its librarian is not named
    web.shot(page, "01-libraries-ru")

    page.get_by_role("link", name="Афиша мероприятий").click()
    expect(page).to_have_url(re.compile(r"/public/ORL-ZAL/events$"))
    expect(page.locator("h2").first).to_have_text(re.compile(r"^[А-ЯЁ][а-яё]+ \d{4}$"))  # "Декабрь 2026"
    workshop = page.locator("li.public-event", has_text="Мастер-класс «Книжка-малышка своими руками»")
    expect(workshop).to_contain_text("11:00")
    expect(workshop).to_contain_text("Центральная детская библиотека")
    expect(workshop).to_contain_text("Дети")
    expect(page.get_by_text("«Почемучка»: летние чтения под открытым небом")).to_have_count(0)  # held
    web.shot(page, "02-events-ru")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/public/ORL-ZAL/")
    web.shot(page, "03-libraries-wide-ru")
    web.expect_no_troubles()


def test_a_visitor_reads_a_bulgarian_municipalitys_pages(web):
    page = web.page(locale="ru-RU")
    page.goto("/public/SZR-MGL/")
    expect(page.locator("html")).to_have_attribute("lang", "bg")
    library = page.locator("article", has_text="Библиотека при НЧ „Светлина 1899“")
    expect(library).to_contain_text("Работно време")
    expect(library).to_contain_text("Клуб по интереси „Приятели на книгата“")
    web.shot(page, "01-libraries-bg")

    page.get_by_role("link", name="Календар на културните прояви").click()
    expect(page.locator("li.public-event", has_text="Изложба „Мъглиж в старите снимки“")).to_contain_text("Книжна изложба")
    web.shot(page, "02-events-bg")

    page.goto("/public/SZR/")  # the region: its own library, then its municipalities
    expect(page.locator("h2").first).to_have_text("Област Стара Загора")
    web.shot(page, "03-region-bg")

    response = page.goto("/public/NO-SUCH/")
    assert response.status == 404
    expect(page.locator(".lead")).to_contain_text("Такой страницы нет")  # the browser's language
    web.shot(page, "04-not-found-ru")
    web.forget_troubles()  # the browser logs the 404
    web.expect_no_troubles()


def test_public_pages_pass_axe_and_vnu(web, tmp_path):
    _tools()
    page = web.page()
    problems, sources = {}, {}
    for path in ("/public/ORL-ZAL/", "/public/ORL-ZAL/events", "/public/SZR/", "/public/SZR-MGL/events"):
        response = page.goto(path)
        assert response.ok, path
        found = _axe(page)
        if found:
            problems[f"axe {path}"] = found
        file = tmp_path / f"page{len(sources):03d}.html"
        file.write_text(response.text(), encoding="utf-8")
        sources[file] = path
    for name, errors in _vnu(list(sources)).items():
        problems[f"vnu {sources[tmp_path / name]}"] = errors
    assert not problems, "\n".join(f"{where}: {items}" for where, items in problems.items())


def test_a_director_sees_the_public_page_settings_of_her_district(web):
    """The settings on the district's form: the pages on, the site that frames them, and a
    site written with a page's path refused with the field's own message (nothing saved)."""
    page = web.page()
    web.login(page, "zal.director")
    district = web.server.scalar("SELECT id FROM tenant WHERE code = ?", "ORL-ZAL")
    for lang, save, refusal in (("ru", "Сохранить", "Укажите адреса сайтов через пробел"),
                                ("bg", "Запази", "Въведете адресите на сайтовете")):
        page.goto(f"/tenantview/edit/{district}?_l_={lang}")
        expect(page.locator("#public_pages")).to_be_checked()
        expect(page.locator("#public_frame_origins")).to_have_value("https://zalegoshch-library.ru")
        page.fill("#public_frame_origins", "https://zalegoshch-library.ru/biblioteki")
        page.get_by_role("button", name=save).click()
        expect(page.get_by_text(refusal)).to_be_visible()
        web.shot(page, f"01-settings-refused-{lang}")
    page.goto(f"/tenantview/show/{district}")
    expect(page.locator("table").first).to_contain_text("https://zalegoshch-library.ru")
    web.shots(page, "02-settings-shown")
    web.expect_no_troubles()
