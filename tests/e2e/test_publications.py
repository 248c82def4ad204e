"""Methodological publications in the browser, in Russian and in Bulgarian: a methodologist
tries a file of the wrong type and reads why it is refused, attaches the PDF instead, finds
the publication on the list with its file and downloads it; the year's report counts it."""
import datetime
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

SCENARIOS = {
    "ru": dict(username="zal.methodologist", locale="ru-RU", work="Работа", menu="Методические издания",
               add_title="Добавить издание", genre="Памятка", tenant="Залегощенский район",
               title="Памятка по оформлению книжных выставок", file="Памятка по выставкам.pdf",
               wrong="список литературы.txt", refused="Такой тип файла не принимается.",
               save="Сохранить", edit="Редактировать", saved="Запись добавлена", show="Просмотр", report="Отчёт за год",
               section="Методические издания"),
    "bg": dict(username="sz.methodologist", locale="bg-BG", work="Дейност", menu="Методически издания",
               add_title="Добави издание", genre="Указания (памятка)", tenant="Област Стара Загора",
               title="Указания за подреждане на фонда", file="Указания за фонда.pdf",
               wrong="списък.txt", refused="Този вид файл не се приема.",
               save="Запази", edit="Редактирай", saved="Записът е добавен", show="Преглед", report="Годишен отчет",
               section="Методически издания"),
}


@pytest.mark.parametrize("lang", SCENARIOS)
def test_methodologist_attaches_a_pdf_and_downloads_it(web, tmp_path, lang):
    s = SCENARIOS[lang]
    wrong, right = tmp_path / s["wrong"], tmp_path / s["file"]
    wrong.write_text("Список литературы к юбилеям писателей\n", encoding="utf-8")
    right.write_bytes(PDF)

    page = web.page(s["locale"])
    web.login(page, s["username"])
    web.menu(page, s["work"], s["menu"])
    expect(page).to_have_url(re.compile(r"/methodpublicationview/list/"))
    publications = page.url
    web.shots(page, "01-publications")

    page.get_by_role("link", name=s["add_title"]).click()
    expect(page.locator(".panel-title, h1, h2, h3, .panel-heading").first).to_contain_text(s["add_title"])
    web.shots(page, "02-add-publication", via=publications)
    page.fill("#title", s["title"])
    web.choose(page, "genre", s["genre"])
    page.fill("#year", str(datetime.date.today().year))
    web.choose(page, "tenant", s["tenant"])
    page.fill("#pages", "12")
    page.set_input_files("#attachment", str(wrong))
    page.get_by_role("button", name=s["save"]).click()
    expect(page.locator("form")).to_contain_text(s["refused"])
    web.shot(page, f"03-wrong-type-refused-{lang}")

    page.set_input_files("#attachment", str(right))
    page.get_by_role("button", name=s["save"]).click()
    expect(page.locator(".alert-success")).to_contain_text(s["saved"])
    row = web.row(page, s["title"])
    expect(row).to_contain_text(s["file"])
    web.shot(page, f"04-listed-with-its-file-{lang}")

    row.get_by_role("link", name=s["show"]).click()
    expect(page.locator("table").first).to_contain_text(s["file"])
    web.shots(page, "05-publication-card")
    with page.expect_download() as download:
        page.get_by_role("link", name=s["file"]).click()
    assert download.value.suggested_filename == s["file"]
    assert open(download.value.path(), "rb").read() == PDF

    page.get_by_role("link", name=s["edit"]).first.click()  # the file it holds, and a way to remove it
    expect(page.locator("form")).to_contain_text(s["file"])
    web.shots(page, "06-edit-with-its-file")

    web.menu(page, s["work"], s["report"])
    expect(page.locator("table.figures").first).to_contain_text(s["section"])
    web.shots(page, "07-report-of-the-year")
    web.expect_no_troubles()
