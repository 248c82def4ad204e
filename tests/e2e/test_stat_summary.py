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


def test_a_district_submits_its_summary_and_the_region_approves_it(web):
    # Залегощенский район: its libraries have not all reported 2025, so the summary is
    # refused, naming them.
    page = web.page()
    web.login(page, "zal.director")
    page.goto("/stat-summary/?year=2025")
    summary = page.locator("section.district-summary")
    expect(summary).to_contain_text("Черновик")
    summary.locator("button[value=submit]").click()
    expect(page.locator(".alert-danger")).to_contain_text("Верхнескворченская сельская библиотека")
    web.shot(page, "04-district-refused-2025-message")
    web.shots(page, "04-district-refused-2025")
    web.logout(page, "Выйти")

    # Мъглиж: every library's 2024 report is approved; its director submits the summary.
    page = web.page("bg-BG")
    web.login(page, "maglizh.director")
    page.goto("/stat-summary/?year=2024")
    summary = page.locator("section.district-summary")
    expect(summary.locator("button[value=approve]")).to_have_count(0)
    web.shots(page, "05-district-to-submit-2024")
    summary.locator("button[value=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    web.shot(page, "06-district-submitted-2024-message")
    expect(page.locator("section.district-summary .summary-status")).to_contain_text("Подаден")
    expect(page.locator("section.district-summary button")).to_have_count(0)
    web.shots(page, "06-district-submitted-2024")
    web.logout(page, "Изход")

    # The region's director finds it waiting, returns it with a comment, then approves it
    # once the district has submitted it again.
    page = web.page("bg-BG")
    web.login(page, "sz.director")
    expect(page.locator("section.waiting")).to_contain_text("Мъглиж")
    page.goto("/stat-summary/?year=2024")
    expect(page.locator("table.district-summary-list")).to_contain_text("Подаден")
    web.shots(page, "07-region-districts-2024")
    page.locator("table.district-summary-list a", has_text="Мъглиж").click()
    summary = page.locator("section.district-summary")
    summary.locator("#step-comment").fill("Проверете броя на читателите")
    summary.locator("button[value=return]").click()
    expect(page.locator("table.summary-history")).to_contain_text("Проверете броя на читателите")
    web.shots(page, "08-region-returned")
    web.logout(page, "Изход")

    page = web.page("bg-BG")
    web.login(page, "maglizh.director")
    page.goto("/stat-summary/?year=2024")
    page.locator("section.district-summary button[value=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    web.logout(page, "Изход")

    page = web.page("bg-BG")
    web.login(page, "sz.director")
    page.goto("/stat-summary/?year=2024")
    page.locator("table.district-summary-list a", has_text="Мъглиж").click()
    page.locator("section.district-summary button[value=approve]").click()
    expect(page.locator("section.district-summary .summary-status")).to_contain_text("Одобрен")
    expect(page.locator("section.district-summary button[value=reopen]")).to_be_visible()
    web.shots(page, "09-region-approved")
    page.locator(".breadcrumb a").first.click()  # up to the region
    expect(page.locator("table.district-summary-list")).to_contain_text("Одобрен")
    expect(page.locator("p.summary-included")).to_be_visible()
    expect(page.locator("table.figures:not(.key-ratios):not(.key-figures)").first).to_contain_text(re.compile(r"1\s315"))
    web.shots(page, "10-region-consolidated-2024")
    web.expect_no_troubles()


def test_admin_reads_the_networks_summary_and_goes_down_to_a_region(web):
    """Admin's summary without an id is the network's: a row per region, the regions on the
    key figures, the form's figures of them all; a region's name leads to its own page, where
    a district whose summary is not approved is marked preliminary."""
    page = web.page()
    web.login(page, "admin")
    page.goto("/stat-summary/?year=2024")
    expect(page.locator("h1")).to_contain_text("Все области")
    regions = page.locator("table.region-summaries")
    expect(regions).to_contain_text("Иркутская область")
    expect(page.locator("table.key-figures")).to_contain_text("Итого по всем областям")
    expect(page.locator("table.figures:not(.key-ratios):not(.key-figures)").first).to_contain_text(
        "Число зарегистрированных пользователей")
    web.shots(page, "11-admin-network-2024")
    regions.get_by_role("link", name="Орловская область").click()
    expect(page.locator("h1")).to_contain_text("Орловская область")
    expect(page.locator("table.key-figures .preliminary")).to_have_count(2)  # Залегощенский and the total
    web.shots(page, "12-admin-region-preliminary-2024")
    page.locator(".breadcrumb a", has_text="Все области").click()  # back up to the network
    expect(page.locator("table.region-summaries")).to_be_visible()
    web.expect_no_troubles()
