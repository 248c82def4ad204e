"""Printouts that are whole, and buttons only where the user may act, as Chromium shows
them. The passport and the dashboard are printed to PDF on A4 (Chromium's print, the
one a user gets with Ctrl+P), read back with poppler's pdftotext, and their first page
is kept as a picture (pdftoppm) beside the screenshots, to be looked at."""
import os
import re
import shutil
import subprocess

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

ZAL = "Залегощенский район"
MGL = "Мъглиж"
# The printed words a user reads first and last: the passport's title and district, the
# heading of its widest table's last column, the signature block, the page's footer.
PASSPORT = {
    "ru": ("ПАСПОРТ РАЙОНА", ZAL, "Стаж работы", "свыше 10 лет", ("Составил", "Должность", "Подпись", "Дата"),
           "Стр. 1 из"),
    "bg": ("ПАСПОРТ НА ОБЩИНАТА", MGL, "Трудов стаж", "над 10 години", ("Изготвил", "Длъжност", "Подпис", "Дата"),
           "Стр. 1 от"),
}
FOOTER = {"ru": "Стр.", "bg": "Стр."}
DASHBOARD = {"ru": "Сводка", "bg": "Обобщение"}
DASHBOARD_WORDS = {"ru": "Клубы по интересам", "bg": "Клубове по интереси"}  # the first charts
LAST_HEADINGS = {"ru": ("свыше 10 лет", "возможностями здоровья", "3-е место"),
                 "bg": ("над 10 години", "Обслужване по домовете", "3-то място")}
ACCOUNT = {"ru": ("zal.director", "ORL-ZAL"), "bg": ("maglizh.director", "SZR-MGL")}


def _poppler():
    missing = [tool for tool in ("pdftotext", "pdftoppm") if not shutil.which(tool)]
    if missing:
        message = f"{', '.join(missing)} missing: `make e2e` and `make test` install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _print(web, page, name: str) -> str:
    """The page printed on A4 as Chromium prints it; its text, laid out as printed. The
    first page is kept as a picture in the scenario's screenshots."""
    web.folder.mkdir(parents=True, exist_ok=True)
    pdf = web.folder / f"{name}.pdf"
    page.emulate_media(media="print")
    page.pdf(path=pdf, format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf,
                    web.folder / f"{name}-page1"], check=True)
    return subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout


def _pages(text: str) -> list[str]:
    """Each printed page's words, one space apart (a heading wrapped in its cell is one)."""
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_the_passport_prints_whole_on_a4(web, lang):
    _poppler()
    title, district, group, last, signature, footer = PASSPORT[lang]
    username, code = ACCOUNT[lang]
    page = web.page()
    web.login(page, username)
    pk = web.server.scalar("SELECT id FROM tenant WHERE code = ?", code)
    page.goto(f"/passport/{pk}?_l_={lang}")
    web.shot(page, f"passport-screen-{lang}")
    text = _print(web, page, f"passport-{lang}")
    pages = _pages(text)
    assert title in pages[0] and district in pages[0], pages[0][:800]
    whole = " ".join(pages)
    assert group in whole and last in whole  # the staff table's last column, not cut off
    for word in signature:
        assert word in pages[-1], (word, pages[-1][-800:])
    for number, printed in enumerate(pages, 1):  # each page: its header and its number
        assert district in printed and f"{footer.replace('1', str(number))} {len(pages)}" in printed, printed
    web.expect_no_troubles()


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_the_dashboard_prints_whole_on_a4(web, lang):
    _poppler()
    username, code = ACCOUNT[lang]
    page = web.page()
    web.login(page, username)
    page.goto(f"/?_l_={lang}")
    web.shot(page, f"dashboard-screen-{lang}")
    text = _print(web, page, f"dashboard-{lang}")
    pages = _pages(text)
    district = ZAL if lang == "ru" else MGL
    header = f"{district} · {DASHBOARD[lang]}"
    assert pages[0].startswith(header)
    for number, printed in enumerate(pages, 1):  # none blank: more than its header and number
        assert printed.startswith(header) and f"{FOOTER[lang]} {number} " in printed, printed
        assert len(printed) > len(header) + 40, f"page {number} is blank: {printed}"
    assert DASHBOARD_WORDS[lang] in pages[0]
    whole = " ".join(pages)
    for heading in LAST_HEADINGS[lang]:  # the last columns of the widest tables, not cut off
        assert heading in whole, heading
    web.expect_no_troubles()


# A region's statistical summary: who prints it, the region, the last column of the ratios'
# table and of the key figures' (cut off if the page were too narrow), and a note the screen
# gives in a tooltip, which a printout must not spell out in every row.
SUMMARY = {"ru": ("orel.director", "Орловская область", "Книгообеспеченность", "Фонд на конец года",
                  "сводка района ещё не утверждена"),
           "bg": ("sz.director", "Област Стара Загора", "Книгообезпеченост", "Фонд в края на годината",
                  "обобщеният отчет на общината още не е одобрен")}


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_a_regions_statistical_summary_prints_whole_on_a4(web, lang):
    _poppler()
    username, region, last_ratio, last_column, note = SUMMARY[lang]
    page = web.page()
    web.login(page, username)
    page.goto(f"/stat-summary/?year=2024&_l_={lang}")
    text = _print(web, page, f"stat-summary-{lang}")
    pages = _pages(text)
    assert region in pages[0], pages[0][:400]
    whole = " ".join(pages)
    assert last_ratio in whole and last_column in whole
    assert whole.count(note) <= 1  # the footnote, once
    for number, printed in enumerate(pages, 1):  # each page: its header and number, none blank
        assert region in printed and f"{FOOTER[lang]} {number} " in printed, printed[:300]
        assert len(printed) > 120, f"page {number} is blank: {printed}"
    web.expect_no_troubles()


def test_the_dashboard_fits_the_screen_and_its_labels_are_whole(web):
    """Wide tables scroll inside their box, not the page; every chart label starts inside
    its chart; the contest years are separate links."""
    page = web.page()
    page.set_viewport_size({"width": 1024, "height": 800})
    web.login(page, "admin")
    page.goto("/?_l_=ru")
    for path in ("/?_l_=ru", f"/dashboard/{web.server.scalar('SELECT id FROM tenant WHERE code = ?', 'ORL-ZAL')}?_l_=ru"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path}: the page scrolls sideways by {overflow}px"
        outside = page.evaluate("""() => {
            const out = [];
            for (const box of document.querySelectorAll('.report .table-responsive')) {
                const edge = box.closest('.container').getBoundingClientRect().right;
                if (box.getBoundingClientRect().right > edge + 1) out.push(box.closest('section').querySelector('h2').textContent);
            }
            return out; }""")
        assert not outside, f"{path}: tables past the page's edge: {outside}"
        clipped = page.evaluate("""() => {
            const out = [];
            for (const svg of document.querySelectorAll('svg.chart')) {
                const width = svg.viewBox.baseVal.width;
                for (const text of svg.querySelectorAll('text')) {
                    const box = text.getBBox();
                    if (box.x < 0 || box.x + box.width > width) out.push(text.textContent);
                }
            }
            return out; }""")
        assert not clipped, f"{path}: chart labels cut off: {clipped}"
    page.goto("/?_l_=ru")
    years = page.locator(".report-years li")
    expect(years).to_have_text(["2020", "2021"])
    assert years.nth(0).bounding_box()["x"] + years.nth(0).bounding_box()["width"] < years.nth(1).bounding_box()["x"] + 1
    web.shot(page, "dashboard-1024-ru")
    web.expect_no_troubles()


def test_branch_staff_are_offered_edit_only_on_their_librarys_rows(web):
    own, other = "Краевед", "Почемучка"  # Бортновская сельская библиотека's club, and another's
    page = web.page()
    web.login(page, "zal.branch")
    page.goto("/clubview/list/?_l_=ru")
    expect(web.row(page, own).get_by_role("link", name="Редактировать")).to_have_count(1)
    expect(web.row(page, own).get_by_role("link", name="Удалить")).to_have_count(1)
    expect(web.row(page, other).get_by_role("link", name="Просмотр")).to_have_count(1)
    expect(web.row(page, other).get_by_role("link", name="Редактировать")).to_have_count(0)
    expect(web.row(page, other).get_by_role("link", name="Удалить")).to_have_count(0)
    expect(web.row(page, other).locator("input.action_check")).to_have_count(0)
    web.shots(page, "club-list-branch")

    web.row(page, other).get_by_role("link", name="Просмотр").click()
    expect(page.get_by_role("link", name="Редактировать")).to_have_count(0)
    expect(page.get_by_role("button", name="Удалить")).to_have_count(0)
    page.go_back()
    web.row(page, own).get_by_role("link", name="Просмотр").click()
    web.shots(page, "club-show-branch")
    page.get_by_role("link", name="Редактировать", exact=True).click()  # the club's, not one of its events'

    expect(page).to_have_url(re.compile(r"/clubview/edit/\d+"))
    expect(page.locator(".alert-warning")).to_have_count(0)  # not refused after the click
    web.expect_no_troubles()


def test_deleting_from_the_show_page_asks_first_and_returns_to_the_list(web):
    page = web.page(locale="bg-BG")
    web.login(page, "maglizh.director")
    page.goto("/clubview/add?_l_=bg")
    page.fill("#name", "Клуб за изтриване")
    web.choose(page, "library", "Библиотека при НЧ „Светлина 1899“")
    web.choose(page, "audience", "Възрастни")
    page.fill("#members", "4")
    page.get_by_role("button", name="Запази").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto("/clubview/list/?_l_=bg")
    web.row(page, "Клуб за изтриване").get_by_role("link", name="Преглед").click()
    page.get_by_role("button", name="Изтрий").click()
    expect(page.locator("#modal-confirm")).to_be_visible()
    web.shot(page, "show-delete-confirm-bg")
    page.locator("#modal-confirm-ok").click()
    expect(page).to_have_url(re.compile(r"/clubview/list/"))
    expect(web.row(page, "Клуб за изтриване")).to_have_count(0)
    web.expect_no_troubles()
