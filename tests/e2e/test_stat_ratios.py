"""A region's districts on the key figures of the year and their ratios, as the region's
director reads them under the summary; a district's director enters the district's
population on its card, and a population typed wrong is refused."""
try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None


def test_a_region_reads_its_districts_key_figures_and_ratios(web, server):
    mgl = server.scalar("SELECT id FROM tenant WHERE code = 'SZR-MGL'")
    page = web.page("bg-BG")
    web.login(page, "maglizh.director")
    refusals = {"bg": "Въведете броя на жителите, цяло число от 1 до 20",
                "ru": "Укажите число жителей — целое число от 1 до 20"}
    for lang, message in refusals.items():  # the refused form as each language shows it
        page.goto(f"/tenantview/edit/{mgl}?_l_={lang}")
        population = page.locator("input[name=population]")
        expect(population).to_have_value("9600")
        population.fill("-9600")
        page.locator("#model_form [type=submit]").first.click()
        expect(page.locator("#model_form")).to_contain_text(message)
        web.shot(page, f"01-population-refused-{lang}")
    page.goto(f"/tenantview/edit/{mgl}")
    page.locator("input[name=population]").fill("9 600")  # as people write it
    page.locator("#model_form [type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()

    page = web.page("bg-BG")  # the region's director, in a window of her own
    web.login(page, "sz.director")
    page.goto("/stat-summary/?year=2024")
    table = page.locator("table.key-ratios")
    expect(table).to_be_visible()
    expect(table.locator("tr", has_text="Мъглиж")).to_contain_text("9 600".replace(" ", "\u00a0"))
    expect(table.locator("tr.total")).to_contain_text("Общо за областта")
    expect(page.locator("table.key-figures tr", has_text="Чирпан")).to_contain_text("33\u00a0100")  # its loans
    expect(page.locator(".key-figures-notes")).to_contain_text("Няма одобрени отчети за тази година.")
    table.scroll_into_view_if_needed()
    web.shots(page, "02-districts-2024")
    web.expect_no_troubles()
