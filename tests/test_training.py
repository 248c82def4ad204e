"""Training as a region and its districts keep it: the region's methodologist records a
seminar attended by staff of two of its districts; each of those districts reads it (read-only)
and finds it on its staff member's card, a sibling district sees nothing of it, on the ORM
layer and on row-level security alone. A district's training school has its classes, each
session an activity of one class, and the year's report counts the staff trained."""
import re

import pytest
from sqlalchemy import text

from .conftest import POSTGRES, login, make_app, put_current, snapshot

MISSING = 10**7
TOPIC = "Семинар: работа с автоматизирана библиотечна система"
OTHER_TOPIC = "Семинар: дигитални услуги в читалищната библиотека"


def _id(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _staff(engine, name):
    return _id(engine, "SELECT id FROM staff WHERE full_name = :n", n=name)


def _tenant(engine, code):
    return _id(engine, "SELECT id FROM tenant WHERE code = :c", c=code)


MAGLIZH = "Стоянка Иванова Ненова"  # Мъглиж
PAVEL_BANYA = "Величка Христова Минчева"  # Павел баня
CHIRPAN = "Мария Иванова Русева"  # Чирпан


@pytest.fixture(scope="module", params=[True, False] if POSTGRES else [True],
                ids=["orm+rls" if POSTGRES else "orm", "rls-alone"][: 2 if POSTGRES else 1])
def work_app(request, urls):
    return make_app(urls, TENANCY_ORM_LAYER=request.param)


def _post_seminar(client, engine, topic, names):
    staff = [_staff(engine, n) for n in names]
    response = client.post("/api/v1/method_activity/", json={
        "kind": "seminar", "held_on": "2026-03-18", "topic": topic, "tenant": _tenant(engine, "SZR"),
        "attendees": staff, "others": 2, "hours": 6, "channel": "in_person",
        "staff": _staff(engine, "Милена Георгиева Танева")})  # the region's methodologist performs it
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], staff


@pytest.fixture
def seminars(work_app, owner_engine):
    """Област Стара Загора's two seminars: one attended by staff of Мъглиж and Павел баня, one
    by staff of Павел баня and Чирпан only; removed afterwards."""
    region = login(work_app, "sz.methodologist")
    ours = _post_seminar(region, owner_engine, TOPIC, [MAGLIZH, PAVEL_BANYA])
    theirs = _post_seminar(region, owner_engine, OTHER_TOPIC, [PAVEL_BANYA, CHIRPAN])
    yield ours, theirs
    for record, _staff_ids in (ours, theirs):
        assert region.delete(f"/api/v1/method_activity/{record}").status_code == 200


def test_a_regions_seminar_is_attended_by_staff_of_its_districts(work_app, owner_engine, seminars):
    (record, staff), _ = seminars
    body = login(work_app, "sz.director").get(f"/api/v1/method_activity/{record}").get_json()
    assert sorted(p["id"] for p in body["result"]["attendees"]) == sorted(staff)
    assert {p["full_name"] for p in body["result"]["attendees"]} == {MAGLIZH, PAVEL_BANYA}
    with owner_engine.connect() as conn:
        links = set(conn.execute(text("SELECT t.code FROM method_activity_attendee a JOIN tenant t "
                                      "ON t.id = a.staff_tenant_id WHERE a.record_id = :r"), {"r": record}).scalars())
    assert links == {"SZR-MGL", "SZR-PBN"}


def test_the_district_whose_staff_attended_reads_the_seminar_and_a_sibling_does_not(work_app, owner_engine, seminars):
    (ours, _), (theirs, _) = seminars
    # Its own staff member among the attendees, the other district's unnamed; branch staff of
    # another library of the district read the seminar, but no staff of other libraries.
    for username, seen in (("maglizh.director", [MAGLIZH]), ("maglizh.branch", [])):
        client = login(work_app, username)
        body = client.get(f"/api/v1/method_activity/{ours}").get_json()
        assert body["result"]["topic"] == TOPIC, username
        assert [p["full_name"] for p in body["result"]["attendees"]] == seen, username
        page = client.get(f"/methodactivityview/show/{ours}?_l_=bg").get_data(as_text=True)
        assert TOPIC in page and (MAGLIZH in page) == bool(seen) and PAVEL_BANYA not in page
        # The seminar only Павел баня's and Чирпан's staff attended: as missing as an unknown one.
        missing = client.get(f"/api/v1/method_activity/{MISSING}")
        foreign = client.get(f"/api/v1/method_activity/{theirs}")
        assert (foreign.status_code, foreign.get_json()) == (missing.status_code, missing.get_json()) == \
            (404, missing.get_json())
        listed = client.get("/api/v1/method_activity/?topic__contains=Семинар:&page_size=100").get_json()
        assert [row["id"] for row in listed["result"]] == [ours] and listed["count"] == 1, username
        page = client.get("/methodactivityview/list/?_flt_0_topic=Семинар").get_data(as_text=True)
        assert TOPIC in page and OTHER_TOPIC not in page
    for username in ("zal.director", "kir.director"):  # other regions
        listed = login(work_app, username).get("/api/v1/method_activity/?topic__contains=Семинар:").get_json()
        assert listed["count"] == 0, username


def test_the_district_cannot_change_the_regions_seminar(work_app, owner_engine, seminars):
    (ours, _), _ = seminars
    director = login(work_app, "maglizh.director")
    before = snapshot(owner_engine)
    refused = (403,) if work_app.config["TENANCY_ORM_LAYER"] else (403, 409, 422)
    assert put_current(director, f"/api/v1/method_activity/{ours}", {"topic": "Иначе"}).status_code in refused
    assert director.delete(f"/api/v1/method_activity/{ours}").status_code in refused
    assert snapshot(owner_engine) == before


def test_the_staff_card_lists_the_trainings_attended_read_only(work_app, owner_engine, seminars):
    (ours, _), (theirs, _) = seminars
    director = login(work_app, "maglizh.director")
    card = director.get(f"/staffview/show/{_staff(owner_engine, MAGLIZH)}?_l_=bg").get_data(as_text=True)
    assert "Методическа дейност" in card and TOPIC in card and OTHER_TOPIC not in card
    assert f"/methodactivityview/show/{ours}" in card
    assert f"/methodactivityview/edit/{ours}" not in card  # the region's: read, not changed
    # The performer's card lists what she attended, not what she performed.
    region = login(work_app, "sz.director")
    performer = region.get(f"/staffview/show/{_staff(owner_engine, 'Милена Георгиева Танева')}?_l_=bg")
    assert TOPIC not in performer.get_data(as_text=True)
    chirpan = region.get(f"/staffview/show/{_staff(owner_engine, CHIRPAN)}").get_data(as_text=True)
    assert OTHER_TOPIC in chirpan and TOPIC not in chirpan
    assert f"/methodactivityview/edit/{theirs}" in chirpan  # the region changes its own


def test_the_demo_school_is_a_staff_members_history(work_app, owner_engine):
    card = login(work_app, "zal.director").get(
        f"/staffview/show/{_staff(owner_engine, 'Климова Дарья Андреевна')}?_l_=ru").get_data(as_text=True)
    assert "Школа библиотечного мастерства, класс «Азы»" in card
    assert "Школа библиотечного мастерства, класс «Мобильный профессионал»" in card
    assert "Творческий полигон" not in card  # a class she did not attend


def test_attendees_outside_the_activitys_subtree_are_refused(work_app, owner_engine):
    """A district's staff member of another district is as unknown as a missing one; the region
    choosing a staff member of another district for a district's activity is told to choose
    within it, naming no one. Nothing is saved."""
    director = login(work_app, "maglizh.director")
    before = snapshot(owner_engine)
    answers = []
    for person in (_staff(owner_engine, PAVEL_BANYA), MISSING):
        response = director.post("/api/v1/method_activity/?_l_=bg", json={
            "kind": "group_consultation", "held_on": "2026-02-02", "topic": "Групова консултация",
            "tenant": _tenant(owner_engine, "SZR-MGL"), "attendees": [_staff(owner_engine, MAGLIZH), person]})
        answers.append((response.status_code, response.get_json()))
    assert answers[0] == answers[1] and answers[0][0] == 422
    assert list(answers[0][1]["errors"]) == ["attendees.1"]
    form = {"kind": "seminar", "held_on": "02.02.2026", "topic": "Семинар в общината",
            "tenant": str(_tenant(owner_engine, "SZR-MGL"))}
    pages = [director.post("/methodactivityview/add?_l_=bg", data={
        **form, "attendees": [str(_staff(owner_engine, MAGLIZH)), str(person)]}).get_data(as_text=True)
        for person in (_staff(owner_engine, PAVEL_BANYA), MISSING)]
    assert all("Невалиден избор" in page or "Недопустим" in page for page in pages), "no field error"
    assert PAVEL_BANYA not in pages[0]
    region = login(work_app, "sz.methodologist")
    response = region.post("/api/v1/method_activity/?_l_=bg", json={
        "kind": "seminar", "held_on": "2026-02-02", "topic": "Семинар в общината",
        "tenant": _tenant(owner_engine, "SZR-MGL"), "attendees": [_staff(owner_engine, PAVEL_BANYA)]})
    assert response.status_code == 422
    message = response.get_json()["errors"]["attendees"][0]
    assert message == "Изберете служители на тази организация или на нейните общини." and PAVEL_BANYA not in message
    assert snapshot(owner_engine) == before


def test_the_form_takes_attendees_and_a_programme_class(work_app, owner_engine):
    director = login(work_app, "zal.director")
    zal = _tenant(owner_engine, "ORL-ZAL")
    people = [_staff(owner_engine, n) for n in ("Краснова Вера Ивановна", "Зайцева Оксана Юрьевна")]
    azy = _id(owner_engine, "SELECT id FROM method_programme_class WHERE name = 'Азы'")
    saved = director.post("/methodactivityview/add", data={
        "kind": "training_class", "held_on": "20.04.2026", "topic": "Азы: каталогизация", "tenant": str(zal),
        "hours": "3", "attendees": [str(p) for p in people], "programme_class": str(azy)})
    assert saved.status_code == 302
    found = _id(owner_engine, "SELECT id FROM method_activity WHERE topic = 'Азы: каталогизация'")
    try:
        with owner_engine.connect() as conn:
            linked = set(conn.execute(text("SELECT staff_id FROM method_activity_attendee WHERE record_id = :r"),
                                      {"r": found}).scalars())
        assert linked == set(people)
        assert _id(owner_engine, "SELECT programme_class_id FROM method_activity WHERE id = :r", r=found) == azy
        page = director.get(f"/methodactivityview/edit/{found}").get_data(as_text=True)
        assert "Краснова Вера Ивановна" in page and "Школа библиотечного мастерства: Азы" in page
        # The class's card lists its sessions.
        card = director.get(f"/methodprogrammeclassview/show/{azy}?_l_=ru").get_data(as_text=True)
        assert "Азы: каталогизация" in card and "Школа библиотечного мастерства, класс «Азы»" in card
        assert "Мобильный профессионал»" not in card
    finally:
        assert director.delete(f"/api/v1/method_activity/{found}").status_code == 200


def test_a_programme_lists_its_classes_and_a_class_is_the_activitys_tenants_own(work_app, owner_engine):
    director = login(work_app, "zal.director")
    programme = _id(owner_engine, "SELECT id FROM method_programme WHERE name = 'Школа библиотечного мастерства'")
    card = director.get(f"/methodprogrammeview/show/{programme}?_l_=ru").get_data(as_text=True)
    positions = [card.find(name) for name in ("Азы", "Библиотечный ориентир", "Творческий полигон",
                                              "Мобильный профессионал")]
    assert -1 not in positions and positions == sorted(positions), "the classes in their order"
    assert "Занятия программ" in card
    # The region reads its district's school; a class of it is no class of the region's own work.
    region = login(work_app, "orel.methodologist")
    azy = _id(owner_engine, "SELECT id FROM method_programme_class WHERE name = 'Азы'")
    assert region.get(f"/api/v1/method_programme_class/{azy}").status_code == 200
    before = snapshot(owner_engine)
    response = region.post("/api/v1/method_activity/?_l_=ru", json={
        "kind": "seminar", "held_on": "2026-02-02", "topic": "Областной семинар",
        "tenant": _tenant(owner_engine, "ORL"), "programme_class": azy})
    assert response.status_code == 422
    assert response.get_json()["errors"]["programme_class"] == ["Выберите занятие из программ этой организации."]
    # Another region's district: the class is as unknown as a missing one.
    kirensk = login(work_app, "kir.director")
    answers = [kirensk.get(f"/api/v1/method_programme_class/{pk}") for pk in (azy, MISSING)]
    assert (answers[0].status_code, answers[0].get_json()) == (answers[1].status_code, answers[1].get_json())
    assert snapshot(owner_engine) == before


def test_a_district_adds_a_class_to_its_programme_only(work_app, owner_engine):
    director = login(work_app, "zal.director")
    programme = _id(owner_engine, "SELECT id FROM method_programme WHERE name = 'Школа библиотечного мастерства'")
    created = director.post("/api/v1/method_programme_class/", json={
        "programme": programme, "position": 5, "name": "Цифровая грамотность"})
    assert created.status_code == 201, created.get_json()
    record = created.get_json()["id"]
    try:
        assert _id(owner_engine, "SELECT tenant_id FROM method_programme_class WHERE id = :r", r=record) == \
            _tenant(owner_engine, "ORL-ZAL")  # the programme's tenant
        before = snapshot(owner_engine)
        foreign = login(work_app, "kir.director").post("/api/v1/method_programme_class/", json={
            "programme": programme, "name": "Чужое занятие"})
        missing = login(work_app, "kir.director").post("/api/v1/method_programme_class/", json={
            "programme": MISSING, "name": "Чужое занятие"})
        assert (foreign.status_code, foreign.get_json()) == (missing.status_code, missing.get_json())
        assert foreign.status_code in (400, 422)
        assert snapshot(owner_engine) == before
    finally:
        assert director.delete(f"/api/v1/method_programme_class/{record}").status_code == 200


def _report_rows(client, url) -> dict[str, tuple[str, str]]:
    body = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>\s*<td>(.*?)</td><td>(.*?)</td>", body)
    return {label: (now, before) for label, now, before in rows}


def test_the_report_counts_the_staff_trained_and_the_programmes_sessions(work_app):
    """The demo school of 2020: four classes, fourteen attendances by eleven staff; this year
    one class of three; Стара Загора's practicums and seminars of 2021."""
    import datetime

    client = login(work_app, "zal.director")
    rows = _report_rows(client, "/method-report/?year=2020&_l_=ru")
    assert rows["Участников из числа сотрудников сети"] == ("14", "0")
    assert rows["Занятие школы мастерства — участников"] == ("14", "0")
    assert rows["Семинар — участников"] == ("0", "0")
    assert rows["Обучено сотрудников (без повторов)"] == ("11", "0")
    assert rows["Занятий: Школа библиотечного мастерства"] == ("4", "0")
    assert rows["Азы"] == ("1", "0") and rows["Мобильный профессионал"] == ("1", "0")
    assert _report_rows(client, "/method-report/?year=2021&_l_=ru")["Обучено сотрудников (без повторов)"] == ("0", "11")
    year = datetime.date.today().year
    rows = _report_rows(client, f"/method-report/?year={year}&_l_=ru")
    assert rows["Обучено сотрудников (без повторов)"] == ("3", "0") and rows["Азы"] == ("1", "0")
    rows = _report_rows(login(work_app, "sz.director"), "/method-report/?year=2021&_l_=bg")
    assert rows["Практикум — участници"] == ("12", "0")  # four practicums, three each
    assert rows["Семинар — участници"] == ("4", "0")
    assert rows["Обучени служители (без повторение)"] == ("5", "0")


def test_the_reports_workbook_has_the_staff_trained(work_app):
    import io

    import openpyxl

    client = login(work_app, "zal.director")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/method-report/xlsx?year=2020&_l_=ru").data))
    cells = {row[0].strip(): row[1:3] for row in book.active.iter_rows(values_only=True) if row and row[0]}
    assert cells["Обучено сотрудников (без повторов)"] == (11, 0)
    assert cells["Азы"] == (1, 0)


def test_a_staff_member_who_attended_is_not_deleted_silently(work_app, owner_engine):
    director = login(work_app, "zal.director")
    before = snapshot(owner_engine)
    response = director.delete(f"/api/v1/staff/{_staff(owner_engine, 'Краснова Вера Ивановна')}?_l_=ru")
    assert response.status_code in (409, 422) and "Краснова Вера Ивановна" in str(response.get_json())
    assert snapshot(owner_engine) == before


def test_the_attendees_link_reads_and_writes_as_the_libraries_link():
    """One mechanism over both links: the libraries' link keeps the policies it had (0009), and
    the activity's read condition keeps 0009's text with the attendees' beside it."""
    from app.records.method_activity import MethodActivity
    from app.tenancy.rls import conditions, link_statements

    tenants, ancestors = "(SELECT app_ids('app.tenants'))::int[]", "(SELECT app_ids('app.ancestors'))::int[]"
    libraries_0009 = (f"tenant_id = ANY({tenants}) OR (tenant_id = ANY({ancestors}) AND EXISTS (SELECT 1 FROM "
                      "method_activity_library link WHERE link.record_id = method_activity.id AND link.tenant_id = "
                      f"method_activity.tenant_id AND link.library_tenant_id = ANY({tenants})))")
    read, _write = conditions(MethodActivity)
    assert read.startswith(libraries_0009) and "link.staff_tenant_id = ANY(" in read
    assert conditions(MethodActivity, links=(("method_activity_library", "library_tenant_id"),))[0] == libraries_0009
    policy = [s for s in link_statements("method_activity_library") if s.startswith("CREATE POLICY") and "_read ON" in s][0]
    assert policy == ("CREATE POLICY method_activity_library_read ON method_activity_library FOR SELECT USING "
                      f"((SELECT app_all()) OR tenant_id = ANY({tenants}) OR library_tenant_id = ANY({tenants}))")


@pytest.mark.skipif(not POSTGRES, reason="row-level security is PostgreSQL's")
def test_postgres_policies_of_the_attendees_link(owner_engine):
    with owner_engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT policyname, qual FROM pg_policies WHERE tablename = "
                                      "'method_activity_attendee'")).all())
        read = conn.scalar(text("SELECT qual FROM pg_policies WHERE policyname = 'method_activity_read'"))
    assert set(rows) == {f"method_activity_attendee_{a}" for a in ("read", "insert", "update", "delete")}
    assert "staff_tenant_id" in rows["method_activity_attendee_read"]
    assert "method_activity_attendee" in read and "method_activity_library" in read


def test_an_activity_added_from_a_staff_card_starts_with_that_attendee(work_app, owner_engine):
    """The card's add button: the staff member is chosen, the field stays open to others, and a
    foreign staff member's id chooses no one."""
    director = login(work_app, "zal.director")
    own = _staff(owner_engine, "Краснова Вера Ивановна")
    page = director.get(f"/methodactivityview/add?_flt_0_attendees={own}&_l_=ru").get_data(as_text=True)
    assert re.search(rf'id="attendees"[^>]*multiple[^>]*>.*?<option value="{own}" selected>Краснова Вера Ивановна',
                     page, re.S)
    foreign = director.get(f"/methodactivityview/add?_flt_0_attendees={_staff(owner_engine, MAGLIZH)}")
    assert foreign.status_code == 200 and MAGLIZH not in foreign.get_data(as_text=True)
    zal = _tenant(owner_engine, "ORL-ZAL")
    saved = director.post(f"/methodactivityview/add?_flt_0_attendees={own}", data={
        "kind": "practicum", "held_on": "03.03.2026", "topic": "Практикум с карточки", "tenant": str(zal),
        "attendees": [str(own), str(_staff(owner_engine, "Зайцева Оксана Юрьевна"))]})
    assert saved.status_code == 302
    found = _id(owner_engine, "SELECT id FROM method_activity WHERE topic = 'Практикум с карточки'")
    try:
        with owner_engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM method_activity_attendee WHERE record_id = :r"),
                                {"r": found}).scalar() == 2
    finally:
        assert director.delete(f"/api/v1/method_activity/{found}").status_code == 200
