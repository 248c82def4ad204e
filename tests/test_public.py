"""The public pages (app/public): what a visitor who is not signed in reads of a district's
or region's libraries and planned events, in the tenant's language, and what they never
read (people); the tenant boundary as a visitor's scope; the 404 that tells nothing; caching,
framing, cookies and the rate limit; the Director's switch and frame sites."""
import datetime
import json
import re
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from app.choices import Audience
from app.extensions import db
from app.models import Club, Library, Staff, Tenant
from app.public.ical import calendar, escape, fold
from app.tenancy.session import ORM_LAYER_KEY, NotPermitted, as_visitor

from .conftest import POSTGRES, login, make_app, snapshot
from .test_forms import form_of

RU, BG = "ORL-ZAL", "SZR-MGL"
ORIGIN = "https://zalegoshch-library.ru"  # the demo's frame site of Залегощенский район (app/demo.py)
NOT_FOUND_RU = "Такой страницы нет"
NOT_FOUND_BG = "Такава страница няма"


@pytest.fixture(scope="module")
def site(urls):
    """The service, with a limit no test here reaches (the limit has a test of its own)."""
    return make_app(urls, PUBLIC_RATE_LIMIT="10000 per minute")


@pytest.fixture
def visitor(site):
    return site.test_client()


def rows(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def today_in(engine, code) -> datetime.date:
    zone = rows(engine, "SELECT time_zone FROM tenant WHERE code = :c", c=code)[0][0]
    return datetime.datetime.now(ZoneInfo(zone)).date()


def events_of(engine, code, status="planned"):
    """(id, title, day) of the tenant's events of that status, planned ones from today on."""
    return [(pk, title, datetime.date.fromisoformat(str(day)[:10])) for pk, title, day in rows(engine, "SELECT e.id, e.title, e.held_on FROM event e JOIN tenant t ON t.id = e.tenant_id "
                        "WHERE t.code = :c AND e.status = :s AND (:s <> 'planned' OR e.held_on >= :d) "
                        "ORDER BY e.held_on, e.starts_at, e.title", c=code, s=status, d=today_in(engine, code))]


@contextmanager
def changed(engine, sql, undo, **params):
    """A change made by the owner for one test, undone afterwards whatever happens."""
    with engine.begin() as conn:
        conn.execute(text(sql), params)
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text(undo), params)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


# -- what a visitor reads -------------------------------------------------------------

def test_a_visitor_reads_the_districts_libraries_with_hours_clubs_and_outreach(visitor, owner_engine):
    html = page(visitor.get(f"/public/{RU}/"))
    assert '<html lang="ru">' in html and "Залегощенский район" in html
    libraries = rows(owner_engine, "SELECT l.name, l.working_hours FROM library l JOIN tenant t "
                                   "ON t.id = l.tenant_id WHERE t.code = :c", c=RU)
    assert len(libraries) == 12
    for name, hours in libraries:
        assert name in html
        assert hours in html
    assert "Режим работы" in html and "Клубы по интересам" in html
    assert "Неугасимая лампада" in html and "последняя суббота месяца, 15:00" in html  # a club's schedule
    assert "Стоянка КИБО в д. Павловка" in html and "Стоянка библиобуса" in html  # an outreach point
    assert '<a href="tel:+74864821247">+7 (48648) 2-12-47</a>' in html
    # Another district's libraries are not on this district's page.
    assert "Библиотека при НЧ „Светлина 1899“" not in html and "Киренск" not in html


def test_a_closed_library_shows_as_closed_without_hours_or_clubs(visitor, owner_engine):
    name = "Грачевская сельская библиотека"
    closed = datetime.date(2025, 3, 31)
    with changed(owner_engine, "UPDATE library SET status = 'closed', closed_on = :d WHERE name = :n",
                 "UPDATE library SET status = 'active', closed_on = NULL WHERE name = :n", n=name, d=closed):
        html = page(visitor.get(f"/public/{RU}/"))
    card = re.search(rf'<article[^>]*>\s*<div class="panel-heading">\s*<h3[^>]*>{name}</h3>.*?</article>',
                     html, re.S)[0]
    assert "Закрыта" in card and "Закрыта с 31 марта 2025\u202fг." in card  # Babel's narrow space
    assert "вт–сб 10:00–16:00" not in card  # its hours
    assert "Юный эколог" not in card  # its club
    assert "Юный эколог" in page(visitor.get(f"/public/{RU}/"))  # open again: back with its club


def test_a_region_lists_its_own_libraries_and_its_districts_by_district(visitor, owner_engine):
    html = page(visitor.get("/public/SZR/"))
    assert '<html lang="bg">' in html
    headings = re.findall(r'<h2 id="group-\d+">(.*?)</h2>', html)
    assert headings == ["Област Стара Загора", "Мъглиж", "Опан", "Павел баня", "Чирпан"]
    assert html.index("Регионална библиотека „Захарий Княжески“") < html.index("Мъглиж</h2>")
    assert "Залегощенский район" not in html


def test_no_person_is_ever_on_a_public_page(visitor, owner_engine):
    """Staff names (the event's person in charge included) and the accounts' names: none, in
    any of the four answers, for a district and for its region."""
    for code in (RU, "ORL", BG):
        tenant = f"(SELECT id FROM tenant WHERE code = '{code}' UNION SELECT id FROM tenant WHERE parent_id = " \
                 f"(SELECT id FROM tenant WHERE code = '{code}'))"
        staff = [r[0] for r in rows(owner_engine, f"SELECT full_name FROM staff WHERE tenant_id IN {tenant}")]
        assert staff
        accounts = [f"{first} {last}" for first, last in rows(
            owner_engine, f"SELECT first_name, last_name FROM ab_user WHERE tenant_id IN {tenant}")]
        people = {*staff, *accounts, *(a.split()[1] + " " + a.split()[0] for a in accounts)}
        for path in ("/", "/events", "/events.json", "/events.ics"):
            answer = page(visitor.get(f"/public/{code}{path}"))
            answer = "".join(unfolded(answer)) if path.endswith(".ics") else answer
            shown = [name for name in people if name in answer]
            assert not shown, f"{code}{path} names {shown}"


def test_the_calendar_lists_what_is_planned_from_today_by_month(visitor, owner_engine):
    planned, held = events_of(owner_engine, RU), events_of(owner_engine, RU, "held")
    assert len(planned) == 5 and held
    html = page(visitor.get(f"/public/{RU}/events"))
    assert "Афиша мероприятий" in html
    for _, title, day in planned:
        assert title in html, title
        month = format_date(day, "LLLL yyyy", locale="ru")
        assert f">{month[:1].upper() + month[1:]}</h2>" in html
    for _, title, _ in held:
        assert title not in html
    # The order: by day (the page lists them as the calendar does).
    positions = [html.index(title) for _, title, _ in planned]
    assert positions == sorted(positions)
    assert "Мастер-класс" in html and "Дети" in html  # form and audience, in Russian


def test_nothing_cancelled_or_past_is_in_the_calendar(visitor, owner_engine):
    (first, first_title, _), (second, second_title, _) = events_of(owner_engine, RU)[:2]
    yesterday = today_in(owner_engine, RU) - datetime.timedelta(days=1)
    with changed(owner_engine, "UPDATE event SET status = 'cancelled' WHERE id = :a",
                 "UPDATE event SET status = 'planned' WHERE id = :a", a=first), \
            changed(owner_engine, "UPDATE event SET held_on = :y WHERE id = :b",
                    "UPDATE event SET held_on = :d WHERE id = :b", b=second, y=yesterday,
                    d=events_of(owner_engine, RU)[1][2]):
        for path in ("/events", "/events.json", "/events.ics"):
            answer = page(visitor.get(f"/public/{RU}{path}"))
            assert first_title not in answer and second_title not in answer, path
    assert second_title in page(visitor.get(f"/public/{RU}/events"))


def test_the_events_as_json_are_the_calendars(visitor, owner_engine):
    response = visitor.get(f"/public/{RU}/events.json")
    assert response.content_type == "application/json; charset=utf-8"
    found = response.get_json()
    assert [e["id"] for e in found] == [r[0] for r in events_of(owner_engine, RU)]
    workshop = next(e for e in found if e["form"] == "master_class")
    day = rows(owner_engine, "SELECT held_on FROM event WHERE id = :i", i=workshop["id"])[0][0]
    assert workshop == {
        "id": workshop["id"], "title": "Мастер-класс «Книжка-малышка своими руками»",
        "date": str(day)[:10], "time": "11:00", "form": "master_class", "form_label": "Мастер-класс",
        "library": {"id": workshop["library"]["id"], "name": "Центральная детская библиотека",
                    "address": "303560, Орловская обл., пгт Залегощь, ул. Ленина, д. 11"},
        "format": "on_site", "format_label": "В библиотеке", "place": None, "link": None,
        "audience": "children", "audience_label": "Дети"}
    bulgarian = visitor.get(f"/public/{BG}/events.json").get_json()
    assert [e["form_label"] for e in bulgarian] == ["Книжна изложба"]


def test_the_ics_feed_holds_one_event_each_in_the_tenants_time_zone(visitor, owner_engine):
    response = visitor.get(f"/public/{RU}/events.ics")
    assert response.content_type == "text/calendar; charset=utf-8"
    ics = response.get_data(as_text=True)
    physical = ics.split("\r\n")
    assert physical[0] == "BEGIN:VCALENDAR" and physical[-2:] == ["END:VCALENDAR", ""]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)  # long lines were folded
    lines = unfolded(ics)
    planned = events_of(owner_engine, RU)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(planned)
    uids = [line[4:] for line in lines if line.startswith("UID:")]
    assert uids == [f"event-{pk}@localhost" for pk, _, _ in planned]
    starts = [line for line in lines if line.startswith("DTSTART;")]
    assert starts and all(s.startswith("DTSTART;TZID=Europe/Moscow:") for s in starts)
    assert "TZID:Europe/Moscow" in lines and "TZOFFSETTO:+0300" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert "SUMMARY:Мастер-класс «Книжка-малышка своими руками»" in lines
    assert any(line.startswith("LOCATION:Центральная детская библиотека\\, 303560\\,") for line in lines)
    # The same feed on the next request: its UIDs and ETag are stable.
    again = visitor.get(f"/public/{RU}/events.ics")
    assert again.get_data(as_text=True) == ics and again.headers["ETag"] == response.headers["ETag"]

    sofia = unfolded(page(visitor.get(f"/public/{BG}/events.ics")))
    assert [s.split(":")[0] for s in sofia if s.startswith("DTSTART;")] == ["DTSTART;TZID=Europe/Sofia"]
    assert "TZID:Europe/Sofia" in sofia


def test_ics_text_is_escaped_and_folded_on_character_boundaries():
    value = "Вечер, посвящённый; поэзии \\ и музыке\nвторой строкой " * 3
    line = "DESCRIPTION:" + escape(value)
    assert "\\," in line and "\\;" in line and "\\\\" in line and "\\n" in line and "\n" not in line
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 3
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert folded.replace("\r\n ", "") == line  # unfolds to what it was, no character split


def test_ics_describes_summer_time_and_a_day_without_a_time():
    """Sofia changes to summer time on 28 March 2027 at 03:00: the zone the feed names says
    so, and an event without a time is a whole day's."""
    events = [dict(uid=f"event-{n}@example", sequence=0, day=day, time=time, time_zone="Europe/Sofia",
                   summary="Маратон на четенето", location="Мъглиж", description="", url=None)
              for n, (day, time) in enumerate([(datetime.date(2027, 3, 20), "18:00"),
                                               (datetime.date(2027, 4, 5), "10:30"),
                                               (datetime.date(2027, 4, 6), None)])]
    lines = unfolded(calendar(events, name="Мъглиж", language="bg"))
    zone = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE")]
    daylight = zone[zone.index("BEGIN:DAYLIGHT"):zone.index("END:DAYLIGHT")]
    assert daylight[1:4] == ["DTSTART:20270328T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0300"]
    assert "BEGIN:STANDARD" in zone and "TZOFFSETTO:+0200" in zone
    starts = [line for line in lines if line.startswith("DTSTART;")]
    assert starts == ["DTSTART;TZID=Europe/Sofia:20270320T180000", "DTSTART;TZID=Europe/Sofia:20270405T103000",
                      "DTSTART;VALUE=DATE:20270406"]


def test_a_bulgarian_municipality_speaks_bulgarian_whatever_the_browser_asks(visitor):
    russian_browser = {"Accept-Language": "ru-RU,ru;q=0.9"}
    libraries = page(visitor.get(f"/public/{BG}/", headers=russian_browser))
    assert '<html lang="bg">' in libraries
    assert "Работно време" in libraries and "Клубове по интереси" in libraries
    assert "Календар на културните прояви" in libraries and "Режим работы" not in libraries
    events = page(visitor.get(f"/public/{BG}/events", headers=russian_browser))
    assert "Изложба „Мъглиж в старите снимки“" in events and "Книжна изложба" in events
    assert "Целева група" in events
    # And a Russian district in Russian to a Bulgarian browser.
    russian = page(visitor.get(f"/public/{RU}/", headers={"Accept-Language": "bg"}))
    assert '<html lang="ru">' in russian and "Режим работы" in russian


# -- the boundary ---------------------------------------------------------------------

def _as_seen(response):
    """What a client can tell of an answer, less what differs on every one (the script
    nonce of the policy, the date, the limit's counters)."""
    headers = {k: re.sub(r"'nonce-[^']+'", "", v) for k, v in response.headers.items()
               if k not in ("Date", "Retry-After") and not k.startswith("X-RateLimit")}
    return response.status_code, response.get_data(as_text=True), headers


def test_unknown_switched_off_and_odd_codes_answer_the_same_translated_404(visitor, owner_engine):
    odd = ["NO-SUCH", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "X" * 300, "%C2%B2", "ORL-ZAL%00", "orl-zal",
           "' OR 1=1 --"]
    with changed(owner_engine, "UPDATE tenant SET public_pages = :off WHERE code = :c",
                 "UPDATE tenant SET public_pages = :on WHERE code = :c", c=RU, off=False, on=True):
        for lang, words in (("ru", NOT_FOUND_RU), ("bg", NOT_FOUND_BG)):
            headers = {"Accept-Language": lang}
            for path in ("/", "/events", "/events.json", "/events.ics"):
                switched_off = _as_seen(visitor.get(f"/public/{RU}{path}", headers=headers))
                assert switched_off[0] == 404 and words in switched_off[1]
                assert ORIGIN not in str(switched_off[2])  # its frame sites are not told either
                for code in odd:
                    assert _as_seen(visitor.get(f"/public/{code}{path}", headers=headers)) == switched_off, code
        # Its region's pages leave it out while its own are off.
        region = page(visitor.get("/public/ORL/"))
        assert "Бортновская сельская библиотека" not in region
    assert "Бортновская сельская библиотека" in page(visitor.get("/public/ORL/"))


def test_the_visitor_scope_reads_the_subtree_without_staff_and_writes_nothing(site, owner_engine):
    with site.app_context():
        session = db.session
        try:
            with as_visitor(session, RU) as tenant_id:
                assert tenant_id == rows(owner_engine, "SELECT id FROM tenant WHERE code = :c", c=RU)[0][0]
                assert set(session.scalars(select(Tenant.code))) == {RU}
                assert session.scalars(select(Staff)).all() == []
                assert session.scalar(select(func.count()).select_from(Staff)) == 0
                assert session.scalars(select(Staff.full_name).join(Library)).all() == []
                libraries = session.scalars(select(Library)).all()
                assert len(libraries) == 12 and {lib.tenant_id for lib in libraries} == {tenant_id}
                for write in (update(Library).values(phone="0"), delete(Club)):
                    with pytest.raises(NotPermitted):
                        session.execute(write)
                libraries[0].phone = "+7 000"
                with pytest.raises(NotPermitted):
                    session.flush()
                session.rollback()
                session.add(Club(library=session.scalars(select(Library)).first(), name="Чужой клуб",
                                 audience=Audience.adults, members=1))
                with pytest.raises(NotPermitted):
                    session.flush()
                session.rollback()
            with as_visitor(session, "NO-SUCH") as nobody:
                assert nobody is None and session.scalars(select(Library)).all() == []
        finally:
            session.rollback()
            session.remove()


@pytest.mark.skipif(not POSTGRES, reason="row-level security is PostgreSQL's")
def test_row_level_security_alone_keeps_a_visitor_from_staff_and_writes(site):
    with site.app_context():
        session = db.session
        session.info[ORM_LAYER_KEY] = False  # the database's policies alone
        try:
            with as_visitor(session, RU):
                assert session.scalars(select(Staff)).all() == []
                assert len(session.scalars(select(Library)).all()) == 12
                assert session.execute(update(Library).values(phone="0")).rowcount == 0
                library = session.scalars(select(Library)).first()
                session.add(Club(library=library, name="Чужой клуб", audience=Audience.adults, members=1))
                with pytest.raises(DBAPIError, match="row-level security"):
                    session.flush()
                session.rollback()
        finally:
            session.rollback()
            session.info.pop(ORM_LAYER_KEY, None)
            session.remove()


# -- caching, cookies, framing, limits ---------------------------------------------------

def test_pages_carry_an_etag_and_answer_304_to_a_client_that_has_them(visitor):
    for path in ("/", "/events", "/events.json", "/events.ics"):
        first = visitor.get(f"/public/{RU}{path}")
        tag = first.headers["ETag"]
        assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
        cached = visitor.get(f"/public/{RU}{path}", headers={"If-None-Match": tag})
        assert cached.status_code == 304 and cached.get_data() == b"" and cached.headers["ETag"] == tag
        assert visitor.get(f"/public/{RU}{path}", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_etag_changes_with_the_content(visitor, owner_engine):
    before = visitor.get(f"/public/{RU}/").headers["ETag"]
    with changed(owner_engine, "UPDATE library SET phone = '+7 (48648) 2-00-00' WHERE name = :n",
                 "UPDATE library SET phone = '+7 (48648) 2-15-63' WHERE name = :n",
                 n="Центральная детская библиотека"):
        response = visitor.get(f"/public/{RU}/", headers={"If-None-Match": before})
        assert response.status_code == 200 and "2-00-00" in response.get_data(as_text=True)


def test_no_public_answer_sets_a_cookie_for_a_visitor_or_a_signed_in_user(site, visitor):
    signed_in = login(site, "zal.director")
    for path in (f"/public/{RU}/", f"/public/{RU}/events", f"/public/{RU}/events.json",
                 f"/public/{RU}/events.ics", "/public/NO-SUCH/", "/public/ORL-ZAL/no/such/page"):
        for client in (visitor, signed_in):
            response = client.get(path)
            assert "Set-Cookie" not in response.headers, path
            assert "Cookie" not in response.headers.get("Vary", ""), path
    # The same page for everyone: the signed-in director gets the visitor's page, no menu.
    assert signed_in.get(f"/public/{RU}/").get_data() == visitor.get(f"/public/{RU}/").get_data()
    assert "Климова" not in visitor.get(f"/public/{RU}/").get_data(as_text=True)  # the account's name
    assert signed_in.get("/libraryview/list/").status_code == 200  # still signed in


def _frame_ancestors(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    return next(part.split()[1:] for part in policy.split(";") if part.split()[0] == "frame-ancestors")


def test_the_tenants_sites_may_frame_its_pages_and_no_other_page(visitor, app):
    for path in ("/", "/events"):
        response = visitor.get(f"/public/{RU}{path}")
        assert _frame_ancestors(response) == ["'self'", ORIGIN]
        assert "X-Frame-Options" not in response.headers
    assert _frame_ancestors(visitor.get(f"/public/{BG}/")) == ["'self'"]
    for path in ("/login/", "/public/NO-SUCH/"):
        response = visitor.get(path)
        assert _frame_ancestors(response) == ["'none'"] and response.headers["X-Frame-Options"] == "DENY"
    assert _frame_ancestors(login(app, "zal.director").get("/libraryview/list/")) == ["'none'"]


def test_a_visitor_past_the_limit_is_told_to_wait(urls):
    client = make_app(urls, PUBLIC_RATE_LIMIT="3 per minute").test_client()
    answers = [client.get(f"/public/{RU}/").status_code for _ in range(3)]
    assert answers == [200] * 3
    refused = client.get(f"/public/{RU}/events", headers={"Accept-Language": "bg"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    body = refused.get_data(as_text=True)
    assert "Твърде много заявки" in body and '<html lang="bg">' in body and "Set-Cookie" not in refused.headers
    # Another address is not held back; nor is the rest of the service.
    assert client.get(f"/public/{RU}/", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 200
    assert client.get("/login/").status_code == 200


# -- the tenant's own settings ---------------------------------------------------------

def test_a_director_switches_the_pages_off_and_names_the_sites_that_frame_them(site, visitor, owner_engine):
    client = login(site, "zal.director")
    pk = rows(owner_engine, "SELECT id FROM tenant WHERE code = :c", c=RU)[0][0]
    card = client.get(f"/tenantview/show/{pk}").get_data(as_text=True)
    assert "Адрес публичных страниц" in card and f'href="http://localhost/public/{RU}/"' in card
    values = form_of(client, f"/tenantview/edit/{pk}")
    assert values["public_pages"] == "y" and values["public_frame_origins"] == ORIGIN
    before = snapshot(owner_engine)
    refused = client.post(f"/tenantview/edit/{pk}", data={
        **values, "public_frame_origins": f"{ORIGIN} https://lib.example.bg/events"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "https://lib.example.bg/events" in html
    assert "Укажите адреса сайтов через пробел" in html
    assert snapshot(owner_engine) == before
    try:
        form = {k: v for k, v in values.items() if k != "public_pages"}  # unticked: nothing sent
        saved = client.post(f"/tenantview/edit/{pk}", data={
            **form, "public_frame_origins": "https://lib.example.bg https://Библиотека.рф/"})
        assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
        stored = rows(owner_engine, "SELECT public_pages, public_frame_origins FROM tenant WHERE id = :i", i=pk)[0]
        assert not stored[0] and stored[1] == "https://lib.example.bg https://Библиотека.рф/"
        assert visitor.get(f"/public/{RU}/").status_code == 404
        shown = client.get(f"/tenantview/show/{pk}").get_data(as_text=True)
        assert "Публичные страницы" in shown and "https://lib.example.bg" in shown
        assert f"/public/{RU}/" not in shown  # no address while they are off
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE tenant SET public_pages = :on, public_frame_origins = :o WHERE id = :i"),
                         {"on": True, "o": ORIGIN, "i": pk})
    response = visitor.get(f"/public/{RU}/")
    assert response.status_code == 200 and _frame_ancestors(response) == ["'self'", ORIGIN]


def test_the_frame_policy_names_an_internationalised_site_in_ascii(site, visitor, owner_engine):
    with changed(owner_engine, "UPDATE tenant SET public_frame_origins = :o WHERE code = :c",
                 "UPDATE tenant SET public_frame_origins = NULL WHERE code = :c",
                 c=BG, o="https://Библиотека.рф/ http://lib.example.bg:8080 not-a-site"):
        assert _frame_ancestors(visitor.get(f"/public/{BG}/")) == [
            "'self'", "https://xn--80abaqnbpf2a4b.xn--p1ai", "http://lib.example.bg:8080"]


def test_the_tenant_api_reads_and_writes_the_settings(site, owner_engine):
    client = login(site, "zal.director")
    pk = rows(owner_engine, "SELECT id FROM tenant WHERE code = :c", c=RU)[0][0]
    found = client.get(f"/api/v1/tenant/{pk}").get_json()["result"]
    assert found["public_pages"] is True and found["public_frame_origins"] == ORIGIN
    before = snapshot(owner_engine)
    refused = client.put(f"/api/v1/tenant/{pk}", json={"public_frame_origins": "javascript:alert(1)",
                                                       "version": found["version"]},
                         headers={"Accept-Language": "ru"})
    assert refused.status_code in (400, 422)
    assert "Укажите адреса сайтов" in json.dumps(refused.get_json(), ensure_ascii=False)
    assert snapshot(owner_engine) == before
