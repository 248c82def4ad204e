"""Meetings in the browser: a district's director records a seminar with the staff present,
guests and an agenda item, then prints its protocol on A4, in Russian (Киренский район)
and in Bulgarian (Мъглиж). The printed PDF is read back (poppler), and its first page is
kept as a picture beside the screenshots."""
import datetime
import re

import pytest

from .test_print_and_buttons import _pages, _poppler, _print

try:
    from playwright.sync_api import expect
except ImportError:  # the server fixture skips (or in CI fails) the tests, saying why
    expect = None

# What each language's director types and reads.
SCENARIO = {
    "ru": dict(
        account="kir.director", locale="ru-RU", menu=("Работа", "Совещания и семинары"),
        heading="Добавить совещание, семинар", kind="Семинар", tenant="Киренский район",
        chair=("Богданова Марина Анатольевна", "Богдан"), secretary=("Пляскина Татьяна Геннадьевна", "Пляск"),
        attendees=[("Черных Анна Владимировна", "Черн"), ("Шестакова Людмила Петровна", "Шестак")],
        topic="Летописи сёл: как их вести", place="Алымовская сельская библиотека",
        guests="Ерёмин Игорь Петрович — глава Алымовского МО", others="6",
        conclusions="Летописи вести во всех сельских библиотеках района.",
        save="Сохранить", added="Запись добавлена", show="Просмотр",
        item=dict(title="О ведении летописей сёл", speakers="Шестакова Л.П.", heard="Об источниках для летописи.",
                  said="Ерёмин И.П.: поможем с архивом поселения.", decision="Начать летописи в трёх сёлах.",
                  responsible=("Шестакова Людмила Петровна", "Шестак")),
        protocol="Протокол", printed=("Киренский район", "Протокол семинара «Летописи сёл: как их вести»",
                                      "Председатель: Богданова Марина Анатольевна", "Присутствовали:",
                                      "Черных Анна Владимировна — Методист", "Всего присутствовало 11 человек",
                                      "Повестка дня:", "Слушали:", "Выступали:", "Решили:",
                                      "Ответственный: Шестакова Людмила Петровна", "Итоги:"),
        signatures=("Председатель", "Богданова Марина Анатольевна", "Секретарь", "Пляскина Татьяна Геннадьевна"),
        footer="Стр. 1 из", report=("Отчёт за год", "Совещания и семинары")),
    "bg": dict(
        account="maglizh.director", locale="bg-BG", menu=("Дейност", "Срещи и семинари"),
        heading="Добави среща, семинар", kind="Семинар", tenant="Мъглиж",
        chair=("Антоанета Петкова Димова", "Антоан"), secretary=("Стоянка Иванова Ненова", "Стоян"), attendees=[],
        topic="Дигитален летопис на читалището", place="НЧ „Светлина 1899“, гр. Мъглиж",
        guests="Иван Петров — кмет на с. Ягода\nМария Колева — учител", others="4",
        conclusions="Летописът да се допълва всеки месец.",
        save="Запази", added="Записът е добавен", show="Преглед",
        item=dict(title="Дигитализация на летописната книга", speakers="Антоанета Димова",
                  heard="Как се сканират страниците.", said="Иван Петров: общината ще помогне.",
                  decision="Да се сканира летописната книга до края на годината.",
                  responsible=("Стоянка Иванова Ненова", "Стоян")),
        protocol="Протокол", printed=("Мъглиж", "Протокол от семинар „Дигитален летопис на читалището“",
                                      "Председател: Антоанета Петкова Димова", "Присъстваха:",
                                      "Иван Петров — кмет на с. Ягода", "Общо присъстваха 8 души",
                                      "Дневен ред:", "Изслушаха:", "Изказаха се:", "Решения:",
                                      "Отговорник: Стоянка Иванова Ненова", "Изводи:"),
        signatures=("Председател", "Антоанета Петкова Димова", "Секретар", "Стоянка Иванова Ненова"),
        footer="Стр. 1 от", report=("Годишен отчет", "Срещи и семинари")),
}


def _in_order(text: str, words):
    at = 0
    for word in words:
        found = text.find(word, at)
        assert found >= 0, f"{word!r} missing after: …{text[at:at + 400]}"
        at = found + len(word)


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_a_district_records_a_seminar_and_prints_its_protocol(web, lang):
    _poppler()
    s = SCENARIO[lang]
    page = web.page(locale=s["locale"])
    web.login(page, s["account"])
    web.menu(page, *s["menu"])
    expect(page).to_have_url(re.compile(r"/meetingview/list/"))
    meetings = page.url
    web.shots(page, "01-meetings")

    page.get_by_role("link", name=s["heading"]).click()
    expect(page).to_have_url(re.compile(r"/meetingview/add"))
    expect(page.locator(".panel-title, .panel-heading").first).to_contain_text(s["heading"])
    web.shots(page, "02-add-meeting", via=meetings)
    web.choose(page, "kind", s["kind"])
    day = datetime.date.today()  # this year's: the report of the year counts it
    page.fill("#held_on", day.strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")
    page.fill("#place", s["place"])
    page.fill("#topic", s["topic"])
    web.choose(page, "tenant", s["tenant"])
    web.choose(page, "chair", s["chair"][0], search=s["chair"][1])
    web.choose(page, "secretary", s["secretary"][0], search=s["secretary"][1])
    for name, search in s["attendees"]:
        web.choose(page, "attendees", name, search=search)
    page.fill("#guests", s["guests"])
    page.fill("#others", s["others"])
    page.fill("#conclusions", s["conclusions"])
    web.shot(page, f"03-meeting-filled-{lang}")
    page.get_by_role("button", name=s["save"]).click()
    expect(page.locator(".alert-success")).to_contain_text(s["added"])
    web.row(page, s["topic"]).get_by_role("link", name=s["show"]).click()
    expect(page).to_have_url(re.compile(r"/meetingview/show/\d+"))
    card = page.url

    # The agenda item, from the meeting's card: its add button comes set to this meeting.
    page.locator(".related-records a[href*='/meetingitemview/add']").click()
    expect(page).to_have_url(re.compile(r"/meetingitemview/add"))
    item = s["item"]
    page.fill("#number", "1")
    page.fill("#title", item["title"])
    page.fill("#speakers", item["speakers"])
    page.fill("#heard", item["heard"])
    page.fill("#said", item["said"])
    page.fill("#decision", item["decision"])
    web.choose(page, "responsible", item["responsible"][0], search=item["responsible"][1])
    page.fill("#due_on", (day + datetime.timedelta(days=60)).strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")
    web.shot(page, f"04-agenda-item-filled-{lang}")
    page.get_by_role("button", name=s["save"]).click()
    expect(page.locator(".alert-success")).to_contain_text(s["added"])
    page.goto(card)
    expect(page.locator(".related-records")).to_contain_text(item["title"])
    web.shots(page, "05-meeting-card")

    page.get_by_role("link", name=s["protocol"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/meetingview/protocol/\d+"))
    expect(page.locator("article.protocol h1")).to_contain_text(s["topic"])
    web.shots(page, "06-protocol")
    text = _print(web, page, f"protocol-{lang}")
    pages = _pages(text)
    whole = " ".join(pages)
    _in_order(whole, [day.strftime("%d.%m.%Y"), *s["printed"]])
    for word in s["signatures"]:
        assert word in pages[-1], (word, pages[-1][-600:])
    assert f"{s['footer']} {len(pages)}" in pages[0] and s["tenant"] in pages[0]  # its header and page number
    assert "Печать" not in whole and "Печат" not in whole  # the screen's buttons are not printed

    # The year's methodological report counts it, apart from the activities.
    web.menu(page, s["menu"][0], s["report"][0])
    expect(page.locator("table.meetings tr.total")).to_contain_text(s["report"][1])
    expect(page.locator("table.meetings tr.total td").first).to_have_text("1")
    web.shots(page, "07-report-of-the-year")
    web.expect_no_troubles()
