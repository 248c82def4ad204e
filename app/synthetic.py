"""A synthetic national network for load tests: `flask demo generate`.

Deterministic for a given (districts, seed): the same rows, ids aside, every time.
Bulk inserts with ids assigned here, so that a few hundred thousand rows take
seconds, not minutes. Run with the scope unrestricted (the CLI does).
"""
import datetime
import random
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from .choices import (
    Audience, ContestLevel, ContestResult, Education, LibraryKind, LibraryStatus, Locale,
    OutreachKind, TenantKind,
)
from .extensions import db
from .models import Club, Contest, ContestEntry, Library, Outreach, Staff, Tenant

PREFIX = "NAT"  # tenant codes of the synthetic network: NAT-R01, NAT-R01-D0001
PER_DISTRICT = {"libraries": 18, "staff": 40, "clubs": 25, "outreach": 15, "contests": 3, "entries": 20,
                "events": 18 * 40,  # a year's events: about 40 per library
                "activities": 150}  # a year's methodological work: visits, consultations, classes
SURNAMES = ["Иванова", "Петрова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева",
            "Козлова", "Новикова", "Морозова", "Волкова", "Алексеева", "Сорокина", "Зайцева"]
NAMES = ["Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Галина"]
VILLAGES = ["Берёзовка", "Сосновка", "Ивановка", "Михайловка", "Никольское", "Покровка",
            "Александровка", "Знаменка", "Троицкое", "Ольховка", "Дубровка", "Красное"]
CLUBS = ["Книголюб", "Родные просторы", "Читающая семья", "Юный краевед", "Рукодельница",
         "Литературная гостиная", "Серебряный возраст", "Мастерилка", "Эколята", "Надежда"]
CONTESTS = ["Лучшая библиотека года", "Каникулы в библиотеке", "Библиотекарь года"]
EVENTS = ["Литературный вечер", "Книжная выставка", "Час краеведения", "Встреча с ветеранами",
          "Громкие чтения", "Экологическая викторина", "Мастер-класс", "Социальный кинозал"]


def generate(districts: int = 2500, regions: int = 85, seed: int = 1) -> dict[str, int]:
    """Insert the network; returns the number of rows added per table (nothing if present)."""
    session = db.session
    if session.scalar(select(Tenant.id).where(Tenant.code == f"{PREFIX}-R01")):
        return {}
    rng = random.Random(seed)
    from .records.event import Event, EventForm, EventFormat, EventStatus, EventTheme
    from .records.method_activity import (
        ActivityKind, Channel, MethodActivity, method_activity_attendee, method_activity_library,
    )

    ids = {t: (session.scalar(select(func.max(t.id))) or 0) for t in
           (Tenant, Library, Staff, Club, Outreach, Contest, ContestEntry, Event, MethodActivity)}
    rows = {t: [] for t in ids}
    links = []  # the libraries each activity was for
    attended = []  # the staff who attended its seminars and classes

    def new(table, **values):
        ids[table] += 1
        rows[table].append({"id": ids[table], **values})
        return ids[table]

    today = datetime.date.today()
    region_ids = [new(Tenant, kind=TenantKind.region, parent_id=None, name=f"Синтетическая область {r:02d}",
                      code=f"{PREFIX}-R{r:02d}", default_locale=Locale.ru) for r in range(1, regions + 1)]
    for d in range(districts):
        region = region_ids[d % regions]
        district = new(Tenant, kind=TenantKind.district, parent_id=region,
                       name=f"Синтетический район {d + 1:04d}", code=f"{PREFIX}-D{d + 1:04d}",
                       default_locale=Locale.ru)
        libraries = []
        for n in range(PER_DISTRICT["libraries"]):
            kind = LibraryKind.central if n == 0 else LibraryKind.children if n == 1 else LibraryKind.branch
            village = VILLAGES[n % len(VILLAGES)]
            libraries.append(new(
                Library, tenant_id=district, kind=kind, status=LibraryStatus.active,
                name=f"Библиотека №{n + 1} района {d + 1:04d}", settlement=f"с. {village}",
                address=f"ул. Центральная, д. {n + 1}", phone=f"+7 (48{d % 100:02d}) {n:02d}-00-00",
                working_hours="вт–сб 10:00–17:00", founded_year=rng.randint(1920, 2010)))
        staff = []
        for n in range(PER_DISTRICT["staff"]):
            staff.append(new(Staff, tenant_id=district, library_id=libraries[n % len(libraries)],
                full_name=f"{rng.choice(SURNAMES)} {rng.choice(NAMES)} {n + 1}",
                position="Библиотекарь", education=rng.choice(list(Education)),
                hired_on=today - datetime.timedelta(days=rng.randint(30, 12000)),
                birth_year=rng.randint(1958, 2003), employment_rate=Decimal("1"), active=True))
        for n in range(PER_DISTRICT["clubs"]):
            new(Club, tenant_id=district, library_id=libraries[n % len(libraries)],
                name=f"{CLUBS[n % len(CLUBS)]} {n + 1}", audience=rng.choice(list(Audience)),
                founded_year=rng.randint(1990, today.year), members=rng.randint(5, 40), active=True)
        for n in range(PER_DISTRICT["outreach"]):
            new(Outreach, tenant_id=district, library_id=libraries[n % len(libraries)],
                kind=rng.choice(list(OutreachKind)), location=f"с. {VILLAGES[(n + 5) % len(VILLAGES)]}, {n + 1}",
                served="жители села", readers_served=rng.randint(5, 120))
        contests = [new(Contest, tenant_id=district, title=title, level=ContestLevel.district,
                        year=today.year - 1) for title in CONTESTS[:PER_DISTRICT["contests"]]]
        for n in range(PER_DISTRICT["entries"]):
            new(ContestEntry, tenant_id=district, library_id=libraries[n % len(libraries)],
                contest_id=contests[n % len(contests)], title=f"Работа {n + 1}",
                result=rng.choice([None, *ContestResult]))
        for n in range(PER_DISTRICT["events"]):  # the last twelve months and the next two
            day = today + datetime.timedelta(days=rng.randint(-365, 60))
            held = day <= today
            attendance = rng.randint(5, 80) if held else None
            children = rng.randint(0, attendance // 2) if held else None
            new(Event, tenant_id=district, library_id=libraries[n % len(libraries)],
                title=f"{EVENTS[n % len(EVENTS)]} {n + 1}", held_on=day, starts_at=f"{rng.randint(10, 18)}:00",
                form=rng.choice(list(EventForm)), theme=rng.choice(list(EventTheme)),
                format=EventFormat.on_site, status=EventStatus.held if held else EventStatus.planned,
                attendance=attendance, children=children, youth=rng.randint(0, attendance // 3) if held else None)
        for n in range(PER_DISTRICT["activities"]):  # the last twelve months
            kind = ActivityKind.field_visit if n % 3 else rng.choice(
                [ActivityKind.consultation, ActivityKind.seminar, ActivityKind.training_class])
            activity = new(MethodActivity, tenant_id=district, kind=kind, topic="Методическая помощь",
                           held_on=today - datetime.timedelta(days=rng.randint(0, 365)),
                           hours=Decimal(rng.randint(1, 6)), follow_up_done=False,
                           channel=Channel.phone if kind is ActivityKind.consultation else Channel.in_person)
            links.append({"tenant_id": district, "record_id": activity, "library_tenant_id": district,
                          "library_id": libraries[n % len(libraries)]})
            if kind in (ActivityKind.seminar, ActivityKind.training_class):  # three of the district's staff
                attended += [{"tenant_id": district, "record_id": activity, "staff_tenant_id": district,
                              "staff_id": staff[(n + k) % len(staff)]} for k in range(3)]
    for table, batch in [*rows.items(), (method_activity_library, links), (method_activity_attendee, attended)]:
        for start in range(0, len(batch), 5000):
            session.execute(insert(table), batch[start:start + 5000])
    if session.get_bind().dialect.name == "postgresql":  # ids were given here: move the sequences on
        for table in rows:
            name = table.__tablename__
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT max(id) FROM {name}))"))
    session.commit()
    # Statistics for the planner now, not whenever autovacuum gets to it: without them
    # PostgreSQL took a region's contest entries for a handful of rows (100 ms, not 2).
    session.execute(text("ANALYZE"))
    session.commit()
    return {**{table.__tablename__: len(batch) for table, batch in rows.items()},
            method_activity_library.name: len(links), method_activity_attendee.name: len(attended)}
