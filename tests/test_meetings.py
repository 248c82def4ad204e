"""Meetings and their protocols as a district keeps them: the director records a seminar
with the staff present, guests and agenda items, on the screen and through the REST API,
and prints its protocol; another district's staff are as unknown as missing ones, and
another district's meeting and protocol are missing, on the ORM layer and on row-level
security alone; the year's methodological report counts the meetings."""
import re

import pytest
from sqlalchemy import text

from .conftest import POSTGRES, login, make_app, put_current, snapshot

MISSING = 10**7
SEMINAR = "Библиотека – как ресурс развития территории"


def _id(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _staff(engine, name):
    return _id(engine, "SELECT id FROM staff WHERE full_name = :n", n=name)


def _tenant(engine, code):
    return _id(engine, "SELECT id FROM tenant WHERE code = :c", c=code)


def _text(response) -> str:
    """A page's words, one space apart, as a reader reads them."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&#34;", '"').replace("&#39;", "'").split())


def _in_order(page: str, *words):
    at = 0
    for word in words:
        found = page.find(word, at)
        assert found >= 0, f"{word!r} missing after position {at}: …{page[at:at + 300]}"
        at = found + len(word)


@pytest.fixture(scope="module", params=[True, False] if POSTGRES else [True],
                ids=["orm+rls" if POSTGRES else "orm", "rls-alone"][: 2 if POSTGRES else 1])
def meeting_app(request, urls):
    return make_app(urls, TENANCY_ORM_LAYER=request.param)


@pytest.fixture
def kirensk(owner_engine):
    return {
        "tenant": _tenant(owner_engine, "IRK-KIR"),
        "director": _staff(owner_engine, "Богданова Марина Анатольевна"),
        "methodologist": _staff(owner_engine, "Черных Анна Владимировна"),
        "bibliographer": _staff(owner_engine, "Пляскина Татьяна Геннадьевна"),
        "museum": _staff(owner_engine, "Шестакова Людмила Петровна"),
        "foreign": _staff(owner_engine, "Сидорова Елена Викторовна"),  # Залегощенский район's methodologist
        "seminar": _id(owner_engine, "SELECT id FROM meeting WHERE topic = :t", t=SEMINAR),
    }


def test_a_director_records_a_seminar_and_its_agenda_on_the_screen(meeting_app, owner_engine, kirensk):
    director = login(meeting_app, "kir.director")
    saved = director.post("/meetingview/add", data={
        "kind": "seminar", "held_on": "14.04.2021", "topic": "Летописи сёл", "tenant": str(kirensk["tenant"]),
        "place": "Алымовская сельская библиотека", "chair": str(kirensk["director"]),
        "secretary": str(kirensk["bibliographer"]),
        "attendees": [str(kirensk["methodologist"]), str(kirensk["museum"])],
        "guests": "Ерёмин Игорь Петрович — глава Алымовского МО\n\nКузнецов Валерий Григорьевич — директор КДЦ",
        "others": "3", "conclusions": "Летописи вести во всех сельских библиотеках."})
    assert saved.status_code == 302, _text(saved)[:2000]
    meeting = _id(owner_engine, "SELECT id FROM meeting WHERE topic = 'Летописи сёл'")
    with owner_engine.connect() as conn:
        present = {r[0] for r in conn.execute(text("SELECT staff_id FROM meeting_attendee WHERE meeting_id = :m"),
                                              {"m": meeting})}
    assert present == {kirensk["methodologist"], kirensk["museum"]}

    card = director.get(f"/meetingview/show/{meeting}?_l_=ru")
    assert f"/meetingview/protocol/{meeting}" in card.get_data(as_text=True)  # the card's Protocol button
    added = director.post(f"/meetingitemview/add?_flt_0_meeting={meeting}", data={
        "meeting": str(meeting), "number": "1", "title": "О летописях сёл", "speakers": "Шестакова Л.П.",
        "heard": "О сборе материалов для летописей.", "said": "Ерёмин И.П.: поможем с архивом.",
        "decision": "Начать летописи в трёх сёлах.", "responsible": str(kirensk["museum"]),
        "due_on": "01.10.2021"})
    assert added.status_code == 302, _text(added)[:2000]
    card = _text(director.get(f"/meetingview/show/{meeting}?_l_=ru"))
    assert "Вопросы повестки" in card and "О летописях сёл" in card  # listed on the meeting's card

    protocol = _text(director.get(f"/meetingview/protocol/{meeting}?_l_=ru"))
    _in_order(protocol, "Киренский район", "14.04.2021", "Протокол семинара «Летописи сёл»",
              "Председатель: Богданова Марина Анатольевна", "Секретарь: Пляскина Татьяна Геннадьевна",
              "Присутствовали:", "Черных Анна Владимировна — Методист",
              "Кузнецов Валерий Григорьевич — директор КДЦ",
              "Всего присутствовало 9 человек",  # 4 staff, 2 guests, 3 more
              "Повестка дня:", "О летописях сёл", "Слушали:", "Шестакова Л.П.", "О сборе материалов",
              "Выступали:", "поможем с архивом", "Решили:", "Начать летописи",
              "Ответственный: Шестакова Людмила Петровна", "Срок: 01.10.2021",
              "Итоги:", "Летописи вести", "Председатель", "Богданова Марина Анатольевна",
              "Секретарь", "Пляскина Татьяна Геннадьевна")

    # Deleted, the meeting takes its agenda and its list of those present with it.
    assert director.delete(f"/api/v1/meeting/{meeting}").status_code == 200
    with owner_engine.connect() as conn:
        left = [conn.execute(text(f"SELECT count(*) FROM {t} WHERE meeting_id = :m"), {"m": meeting}).scalar()
                for t in ("meeting_item", "meeting_attendee")]
    assert left == [0, 0]


def test_the_rest_api_records_a_meeting_and_its_items(meeting_app, owner_engine, kirensk):
    director = login(meeting_app, "kir.director")
    created = director.post("/api/v1/meeting/", json={
        "kind": "round_table", "held_on": "2021-05-20", "topic": "Волонтёры в библиотеке",
        "tenant": kirensk["tenant"], "chair": kirensk["methodologist"], "secretary": kirensk["bibliographer"],
        "attendees": [kirensk["museum"]], "guests": "Волкова Галина Ивановна — заведующая СКДЦ", "others": 4})
    assert created.status_code == 201, created.get_json()
    meeting = created.get_json()["id"]
    try:
        _api_items(director, meeting, created.get_json()["result"], kirensk)
    finally:
        director.delete(f"/api/v1/meeting/{meeting}")


def _api_items(director, meeting, result, kirensk):
    assert result["chair"]["id"] == kirensk["methodologist"] and [a["id"] for a in result["attendees"]] == [kirensk["museum"]]
    item = director.post("/api/v1/meeting_item/", json={
        "meeting": meeting, "title": "Школа волонтёров", "decision": "Открыть школу волонтёров",
        "responsible": kirensk["methodologist"], "due_on": "2021-09-01"})
    assert item.status_code == 201, item.get_json()
    listed = director.get(f"/api/v1/meeting_item/?meeting={meeting}").get_json()
    assert [row["title"] for row in listed["result"]] == ["Школа волонтёров"]
    # An edit names the version it read; a decision due before the meeting is refused, with its reason.
    early = put_current(director, f"/api/v1/meeting_item/{item.get_json()['id']}?_l_=ru", {"due_on": "2021-05-01"})
    assert early.status_code == 422
    assert early.get_json()["errors"] == {"due_on": ["Срок исполнения решения не может быть раньше даты мероприятия."]}
    renamed = put_current(director, f"/api/v1/meeting/{meeting}", {"topic": "Волонтёры и библиотека"})
    assert renamed.status_code == 200 and renamed.get_json()["result"]["topic"] == "Волонтёры и библиотека"
    listed = director.get("/api/v1/meeting/?order_by=held_on&order_direction=desc&page_size=5").get_json()["result"]
    assert (listed[0]["chair"]["full_name"], listed[0]["secretary"]["full_name"]) == \
        ("Черных Анна Владимировна", "Пляскина Татьяна Геннадьевна")  # two people, one table
    assert director.delete(f"/api/v1/meeting/{meeting}").status_code == 200
    assert director.get(f"/api/v1/meeting_item/{item.get_json()['id']}").status_code == 404


def test_another_districts_staff_are_refused_like_missing_ones(meeting_app, owner_engine, kirensk):
    director = login(meeting_app, "kir.director")
    body = {"kind": "meeting", "held_on": "2021-06-01", "topic": "Планёрка", "tenant": kirensk["tenant"]}
    before = snapshot(owner_engine)
    for field, value in (("chair", None), ("secretary", None), ("attendees", "list")):
        answers = []
        for staff in (kirensk["foreign"], MISSING):
            response = director.post("/api/v1/meeting/?_l_=ru", json={**body, field: [staff] if value else staff})
            answers.append((response.status_code, response.get_json()))
        assert answers[0] == answers[1] and answers[0][0] == 422, (field, answers)
    answers = []
    for staff in (kirensk["foreign"], MISSING):
        response = director.post("/api/v1/meeting_item/", json={"meeting": kirensk["seminar"], "title": "Чужой",
                                                                "responsible": staff})
        answers.append((response.status_code, response.get_json()))
    assert answers[0] == answers[1] and answers[0][0] == 422
    form = {"kind": "meeting", "held_on": "01.06.2021", "topic": "Планёрка", "tenant": str(kirensk["tenant"])}
    pages = [_text(director.post("/meetingview/add?_l_=ru", data={**form, "attendees": [str(kirensk["museum"]), str(s)],
                                                                  "chair": str(s)}))
             for s in (kirensk["foreign"], MISSING)]
    assert "Недопустимое значение" in pages[0] and pages[0] == pages[1]
    assert snapshot(owner_engine) == before


def test_a_region_names_only_its_own_staff_for_its_meetings(meeting_app, owner_engine):
    """The region sees its districts' staff; its own meeting's chair is still its own."""
    director = login(meeting_app, "orel.director")
    before = snapshot(owner_engine)
    response = director.post("/api/v1/meeting/?_l_=ru", json={
        "kind": "conference", "held_on": "2021-11-11", "topic": "Областная конференция",
        "tenant": _tenant(owner_engine, "ORL"), "chair": _staff(owner_engine, "Сидорова Елена Викторовна")})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"chair": ["Выберите сотрудника организации, которая провела мероприятие."]}
    assert snapshot(owner_engine) == before


def test_the_demo_seminars_protocol_follows_the_seeds_layout(meeting_app, kirensk):
    page = _text(login(meeting_app, "kir.director").get(f"/meetingview/protocol/{kirensk['seminar']}?_l_=ru"))
    _in_order(page, "Печать", "Киренский район", "17.03.2021",
              f"Протокол семинара «{SEMINAR}»", "Присутствовали:", "глава Алымовского МО",
              "Всего присутствовало 29 человек", "Повестка дня:", "Слушали:", "Выступали:", "Решили:",
              "Ответственный: Черных Анна Владимировна", "Итоги:", "Не все вопросы упираются в финансовую сторону",
              "Председатель", "Богданова Марина Анатольевна", "Секретарь", "Пляскина Татьяна Геннадьевна")


def test_a_protocol_speaks_its_organisations_language(meeting_app, owner_engine):
    """Мъглиж's protocol is Bulgarian, also for a reader whose screens are Russian."""
    director = login(meeting_app, "maglizh.director")
    librarian = _staff(owner_engine, "Антоанета Петкова Димова")
    created = director.post("/api/v1/meeting/", json={
        "kind": "seminar", "held_on": "2021-10-05", "topic": "Дигитален летопис", "tenant": _tenant(owner_engine, "SZR-MGL"),
        "chair": librarian, "guests": "Иван Петров — кмет на с. Ягода"})
    assert created.status_code == 201, created.get_json()
    meeting = created.get_json()["id"]
    try:
        page = _text(director.get(f"/meetingview/protocol/{meeting}?_l_=ru"))
        _in_order(page, "Печать", "Мъглиж", "05.10.2021", "Протокол от семинар „Дигитален летопис“",
                  "Председател: Антоанета Петкова Димова", "Присъстваха:", "Иван Петров — кмет на с. Ягода",
                  "Общо присъстваха 2 души", "Председател", "Секретар")
        assert "Присутствовали" not in page
    finally:
        assert director.delete(f"/api/v1/meeting/{meeting}").status_code == 200


def test_another_districts_meeting_and_protocol_are_missing(meeting_app, kirensk):
    def page(response):  # each page has its own script nonce
        return response.status_code, re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))

    for username in ("zal.director", "maglizh.director", "orel.director"):
        client = login(meeting_app, username)
        foreign = page(client.get(f"/meetingview/protocol/{kirensk['seminar']}"))
        assert foreign[0] == 404 and foreign == page(client.get(f"/meetingview/protocol/{MISSING}")), username
        assert client.get(f"/meetingview/show/{kirensk['seminar']}").status_code == 404
        assert client.get("/api/v1/meeting/?topic__contains=ресурс").get_json()["count"] == 0
        assert client.get(f"/api/v1/meeting_item/?meeting={kirensk['seminar']}").get_json()["count"] == 0
        assert SEMINAR not in client.get("/meetingview/list/").get_data(as_text=True)


def _report_rows(client, url) -> dict[str, tuple[str, str]]:
    body = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>\s*<td>(.*?)</td><td>(.*?)</td>", body)
    return {label: (now, before) for label, now, before in rows}


def test_the_years_report_counts_the_meetings(meeting_app):
    rows = _report_rows(login(meeting_app, "kir.director"), "/method-report/?year=2021&_l_=ru")
    assert rows["Совещания и семинары"] == ("1", "0")
    assert rows["Семинар"] == ("1", "0") and rows["Конференция"] == ("0", "0")
    assert rows["Присутствовало человек"] == ("29", "0")
    rows = _report_rows(login(meeting_app, "zal.director"), "/method-report/?year=2021&_l_=ru")
    assert rows["Совещания и семинары"] == ("0", "0")  # Киренск's seminar is not another district's


def test_a_chair_stays_until_the_protocol_lets_them_go(meeting_app, owner_engine, kirensk):
    """A staff member named in a protocol is not deleted from under it: the reason is said."""
    director = login(meeting_app, "kir.director")
    before = snapshot(owner_engine)
    refused = director.delete(f"/api/v1/staff/{kirensk['director']}?_l_=ru")
    assert refused.status_code == 409 and "Богданова Марина Анатольевна" in refused.get_json()["message"]
    assert snapshot(owner_engine) == before
