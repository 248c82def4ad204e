"""A synthetic national network for load tests: `flask demo generate`.

Deterministic for a given (districts, seed): the same rows, ids aside, every time.
Bulk inserts with ids assigned here, so that a few hundred thousand rows take
seconds, not minutes. Run with the scope unrestricted (the CLI does).

With the network, each library's annual statistical reports of the three years before
the current one (stat_reports below): every indicator of its country's edition, the sums
made by the form's own rules, parts within their wholes, changes from year to year mostly
within the checks' 20 % (a larger one carries its note, as a library would write it).
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
        # A network generated before it had statistics gets them now; otherwise nothing.
        return {**stat_reports(seed), **stat_summaries(seed)}
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
    _follow_ids(session, rows)
    session.commit()
    # Statistics for the planner now, not whenever autovacuum gets to it: without them
    # PostgreSQL took a region's contest entries for a handful of rows (100 ms, not 2).
    session.execute(text("ANALYZE"))
    session.commit()
    return {**{table.__tablename__: len(batch) for table, batch in rows.items()},
            method_activity_library.name: len(links), method_activity_attendee.name: len(attended),
            **stat_reports(seed), **stat_summaries(seed)}


def _follow_ids(session, tables) -> None:
    """Ids were given here: on PostgreSQL, move the tables' sequences on past them."""
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            name = table.__tablename__
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT max(id) FROM {name}))"))


# -- the annual statistical reports ---------------------------------------------------

REPORT_YEARS = 3  # the three years before the current one
BATCH = 5000
# The last year's reports: most districts have approved all theirs; in the others, most are
# approved and the rest on their way (the summary shows each status).
LAST_YEAR_STATUSES = [("approved", 0.75), ("submitted", 0.12), ("draft", 0.08), ("returned", 0.05)]
CHANGE_NOTES = ["Изменение связано с ремонтом помещения.", "Пересчёт после инвентаризации фонда.",
                "Изменилось штатное расписание.", "Новые формы работы с читателями.",
                "Изменилось финансирование учредителем.", "Библиотека была закрыта часть года."]
RETURN_COMMENTS = ["Проверьте раздел 4: число посещений не сходится с журналом.",
                   "Уточните данные о поступлении фонда.", "Приложите пояснение к расходам."]
SIZE = {LibraryKind.central: 5.0, LibraryKind.children: 2.5}  # a branch: 1


def _drift(rng, value: float) -> float:
    """A figure's next year: mostly within ±18 %, now and then a larger change."""
    if rng.random() < 0.01:
        return value * (1 + rng.uniform(-0.4, 0.4))
    return value * (1 + max(-0.18, min(0.18, rng.gauss(0.01, 0.06))))


def _split(total: int, shares: list[float]) -> list[int]:
    """`total` in whole parts by `shares` (summing to 1): the last part takes what rounding left."""
    parts = [int(total * share) for share in shares[:-1]]
    return [*parts, total - sum(parts)]


class _Library:
    """One library's figures from year to year: a few drivers that drift, and the shares
    its parts keep of their wholes (the same every year, as a library's profile is)."""

    def __init__(self, rng, kind):
        self.rng = rng
        size = SIZE.get(kind, 1.0) * rng.lognormvariate(0, 0.3)
        staff = {LibraryKind.central: rng.randint(8, 16), LibraryKind.children: rng.randint(3, 6)}.get(
            kind, rng.randint(1, 2))
        self.d = {"users": 380 * size, "vpu": rng.uniform(9, 14), "lpu": rng.uniform(18, 26),
                  "area": 90 * size, "seats": 8 * size + 4, "computers": 1.5 * size + 1,
                  "outreach": rng.choice([0, 0, 1, 2, 3]) * size, "added": rng.uniform(0.02, 0.035),
                  "withdrawn": rng.uniform(0.015, 0.03), "catalogue": 0.5, "local": 40 * size,
                  "licensed": 300 * size, "remote": 150 * size, "events": 40 * size,
                  "income": 420.0 * staff, "staff": staff}
        self.held = _split(int(11000 * size), [0.96, 0.01, 0.02, 0.01])  # printed, electronic, audiovisual, other
        self.f = {"rented": rng.choice([0, 0, 0, 0.2]), "repair": rng.choice([0, 0, 0.1, 0.25]),
                  "accessible": rng.choice([0, 1, 1]), "net": rng.random() < 0.8,
                  "catalogue": rng.random() < 0.7, "lending": rng.random() < 0.3, "website": rng.random() < 0.6,
                  "digitised": rng.uniform(0, 0.02), "online": rng.uniform(0.3, 1), "remote": rng.uniform(0.02, 0.1),
                  "children": rng.uniform(0.25, 0.45), "youth": rng.uniform(0.1, 0.25),
                  "v_events": rng.uniform(0.15, 0.3), "l_remote": rng.uniform(0.0, 0.04),
                  "rate": rng.choice([1.0, 1.0, 0.75, 0.5]), "higher": rng.uniform(0.3, 0.7),
                  "ages": [rng.uniform(0.05, 0.2), rng.uniform(0.5, 0.7)]}
        self.f["ages"].append(1 - sum(self.f["ages"]))

    def next_year(self, first: bool) -> dict:
        """The parts of the year's figures (the form's sums are added by the caller)."""
        rng, d, f = self.rng, self.d, self.f
        if not first:
            for key in d:
                if key == "staff":  # a post now and then
                    d[key] = max(1, d[key] + (rng.choice([-1, 1]) if rng.random() < 0.1 else 0))
                elif key not in ("vpu", "lpu", "catalogue"):
                    d[key] = _drift(rng, d[key])
        v = {}
        area = round(d["area"])
        v["area_owned"], v["area_rented"], v["area_other"] = area, round(area * f["rented"]), 0
        total_area = sum((v["area_owned"], v["area_rented"]))
        v["area_storage"], v["area_service"] = int(total_area * 0.4), int(total_area * 0.55)
        v["area_repair"] = int(total_area * f["repair"])
        v["accessible"], v["automation_catalogue"] = f["accessible"], int(f["catalogue"])
        v["automation_lending"], v["website"] = int(f["lending"]), int(f["website"])
        v["seats"], v["computers"] = round(d["seats"]), max(1, round(d["computers"]))
        v["computers_internet"] = v["computers"] if f["net"] else v["computers"] - 1
        v["outreach_points"] = round(d["outreach"])
        held_before = sum(self.held)
        added, withdrawn = round(held_before * d["added"]), round(held_before * d["withdrawn"])
        kinds = ("printed", "electronic", "audiovisual", "other")
        shares = [h / held_before for h in self.held]
        for kind, held, plus, minus in zip(kinds, self.held, _split(added, shares), _split(withdrawn, shares)):
            minus = min(minus, held)
            v[f"stock_added_{kind}"], v[f"stock_withdrawn_{kind}"] = plus, minus
            v[f"stock_held_{kind}"] = held + plus - minus
        self.held = [v[f"stock_held_{kind}"] for kind in kinds]
        held = sum(self.held)
        v["stock_digitised"] = int(held * f["digitised"])
        v["catalogue_records"] = int(held * d["catalogue"])
        v["catalogue_online"] = int(v["catalogue_records"] * f["online"])
        v["local_documents"], v["licensed_documents"] = round(d["local"]), round(d["licensed"])
        users = round(d["users"])
        v["users_total"], v["users_remote"] = users, int(users * f["remote"])
        onsite = v["users_onsite"] = users - v["users_remote"]
        v["users_children"], v["users_youth"] = int(onsite * f["children"]), int(onsite * f["youth"])
        visits = v["visits_total"] = round(users * d["vpu"])
        v["visits_events"], v["visits_services"] = int(visits * f["v_events"]), int(visits * 0.6)
        v["remote_requests"] = round(d["remote"])
        v["remote_visits"] = v["remote_requests"] // 2
        loans = v["loans_onsite"] = round(users * d["lpu"])
        v["loans_remote"] = int(loans * f["l_remote"])
        v["loans_children"], v["loans_youth"] = int(loans * f["children"] * 1.1), int(loans * f["youth"])
        v["reference_requests"] = round(users * 0.8)
        events = v["events_total"] = round(d["events"])
        v["events_children"], v["events_youth"] = int(events * 0.4), int(events * 0.2)
        v["events_outreach"], v["events_online"] = int(events * 0.1), int(events * 0.05)
        staff = d["staff"]
        v["staff_posts"] = float(round(staff * f["rate"] * 4) / 4) or 0.25
        v["staff_age_under_30"], v["staff_age_30_55"], v["staff_age_55_over"] = _split(staff, f["ages"])
        v["staff_higher"] = int(round(staff * f["higher"]))
        v["staff_secondary"] = staff - v["staff_higher"]
        v["staff_higher_library"], v["staff_secondary_library"] = v["staff_higher"] // 2, v["staff_secondary"] // 2
        v["staff_service_3_6"], v["staff_service_6_10"], v["staff_service_over_10"] = _split(
            staff - staff // 5, [0.2, 0.3, 0.5])
        founder = d["income"]
        money = {"income_founder": founder, "income_other_budgets": founder * 0.05, "income_earned": founder * 0.03,
                 "income_other": founder * 0.01, "spending_staff": founder * 0.7,
                 "spending_acquisition": founder * 0.08, "spending_it": founder * 0.03,
                 "spending_repair": founder * 0.05, "spending_other": founder * 0.2}
        v.update({code: round(value, 1) for code, value in money.items()})
        v["income_paid_services"] = round(v["income_earned"] * 0.8, 1)
        return v


def _notes(rng, edition, values: dict, before: dict | None) -> dict:
    """A note for each change from last year beyond the checks' threshold (the library
    explains it: one reason for the year's changes)."""
    if not before:
        return {}
    notes, reason = {}, rng.choice(CHANGE_NOTES)
    for code, value in values.items():
        last = before.get(code)
        if edition.indicators[code].type == "flag" or not last:
            continue
        if abs(value - last) / abs(last) > 0.19:  # a little under 20 %: floats against the checks' decimals
            notes[code] = reason
    return notes


COMPLETE_DISTRICTS = 0.7  # of last year: every library's report approved, the summary can go


def _complete(seed: int, district_id: int) -> bool:
    """Has the district approved all its libraries' reports of last year?"""
    return random.Random(f"complete-{seed}-{district_id}").random() < COMPLETE_DISTRICTS


def stat_reports(seed: int = 1) -> dict[str, int]:
    """The network's statistical reports (none added if it has any); rows added per table."""
    from .records.stat_report import StatReport, StatReportStatus, StatReportStep
    from .statistics.forms import edition_for
    from .statistics.workflow import stored, with_totals

    session = db.session
    network = select(Tenant.id).where(Tenant.code.like(f"{PREFIX}-%"))
    if session.scalar(select(StatReport.id).where(StatReport.tenant_id.in_(network)).limit(1)):
        return {}
    rng = random.Random(f"stat-reports-{seed}")
    libraries = session.execute(
        select(Library.id, Library.tenant_id, Library.kind, Tenant.default_locale)
        .join(Tenant, Tenant.id == Library.tenant_id)
        .where(Tenant.code.like(f"{PREFIX}-%")).order_by(Library.id)).all()
    ids = {t: (session.scalar(select(func.max(t.id))) or 0) for t in (StatReport, StatReportStep)}
    counts = {StatReport: 0, StatReportStep: 0}
    rows = {StatReport: [], StatReportStep: []}
    this_year = datetime.date.today().year
    years = range(this_year - REPORT_YEARS, this_year)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    statuses, weights = zip(*LAST_YEAR_STATUSES)

    def flush():
        for table in (StatReport, StatReportStep):  # the steps refer to their reports
            if rows[table]:  # Core on the table: the ORM's bulk path doubled the time
                session.execute(insert(table.__table__), rows[table])
                counts[table] += len(rows[table])
                rows[table].clear()

    for library_id, tenant_id, kind, locale in libraries:
        country = "bg" if getattr(locale, "name", locale) == "bg" else "ru"
        library, before = _Library(rng, kind), None
        for year in years:
            edition = edition_for(country, year)
            # Stored as the entry screen stores them: 12.0 as 12 (workflow.stored).
            parts = {code: stored(Decimal(str(value))) if isinstance(value, float) else value
                     for code, value in library.next_year(first=before is None).items()}
            values = with_totals(edition, parts)
            notes = _notes(rng, edition, values, before)
            before = values
            status = ("approved" if year < this_year - 1 or _complete(seed, tenant_id)
                      else rng.choices(statuses, weights)[0])
            ids[StatReport] += 1
            report = ids[StatReport]
            rows[StatReport].append({"id": report, "tenant_id": tenant_id, "library_id": library_id,
                                     "year": year, "edition": edition.code, "status": StatReportStatus[status],
                                     "values": values, "notes": notes})
            # Its history: made as a draft in the new year, submitted, then checked.
            at = datetime.datetime(year + 1, 1, rng.randint(10, 31), rng.randint(9, 17), rng.randint(0, 59))
            path = {"draft": [], "submitted": ["submitted"], "approved": ["submitted", "approved"],
                    "returned": ["submitted", "returned"]}[status]
            previous = None
            for target in ["draft", *path]:
                ids[StatReportStep] += 1
                rows[StatReportStep].append({
                    "id": ids[StatReportStep], "tenant_id": tenant_id, "library_id": library_id,
                    "report_id": report, "at": min(at, now), "user_id": None,
                    "from_status": StatReportStatus[previous] if previous else None,
                    "to_status": StatReportStatus[target],
                    "comment": rng.choice(RETURN_COMMENTS) if target == "returned" else None})
                previous, at = target, at + datetime.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 8))
        if len(rows[StatReport]) >= BATCH:
            flush()
    flush()
    _follow_ids(session, (StatReport, StatReportStep))
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
    return {table.__tablename__: n for table, n in counts.items() if n}


# The districts' summaries: a district whose libraries' reports of a year are all approved
# has submitted its summary; the years before last are approved by the region, last year's
# are at every step (the region's page and the national summary show each).
LAST_YEAR_SUMMARIES = [("approved", 0.6), ("submitted", 0.25), ("draft", 0.1), ("returned", 0.05)]


def stat_summaries(seed: int = 1) -> dict[str, int]:
    """The districts' summaries of the years reported (none added if the network has any),
    their figures computed from the approved reports as the workflow keeps them."""
    from .records.stat_report import StatReport, StatReportStatus
    from .records.stat_summary import StatSummary, StatSummaryStep
    from .statistics.forms import edition as edition_named
    from .statistics.summary import consolidate, kept

    session = db.session
    districts = select(Tenant.id).where(Tenant.code.like(f"{PREFIX}-%"), Tenant.parent_id.is_not(None))
    if session.scalar(select(StatSummary.id).where(StatSummary.tenant_id.in_(districts)).limit(1)):
        return {}
    rng = random.Random(f"stat-summaries-{seed}")
    statuses, weights = zip(*LAST_YEAR_SUMMARIES)
    this_year = datetime.date.today().year
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    ids = {t: (session.scalar(select(func.max(t.id))) or 0) for t in (StatSummary, StatSummaryStep)}
    rows = {StatSummary: [], StatSummaryStep: []}
    counts = {StatSummary: 0, StatSummaryStep: 0}

    def flush():  # after the reports are read: the read streams on the same connection
        for table in (StatSummary, StatSummaryStep):
            for start in range(0, len(rows[table]), BATCH):
                session.execute(insert(table.__table__), rows[table][start:start + BATCH])
            counts[table] += len(rows[table])

    def add(tenant_id, year, reports):
        if any(status != StatReportStatus.approved for status, _code, _values in reports):
            return  # a library not yet approved: the district cannot submit
        by_edition = {}
        for _status, code, values in reports:
            by_edition.setdefault(code, []).append(values or {})
        status = "approved" if year < this_year - 1 else rng.choices(statuses, weights)[0]
        ids[StatSummary] += 1
        rows[StatSummary].append({
            "id": ids[StatSummary], "tenant_id": tenant_id, "year": year, "status": StatReportStatus[status],
            "values": {code: kept(consolidate(edition_named(code), found)) for code, found in by_edition.items()}})
        at = datetime.datetime(year + 1, 3, rng.randint(1, 28), rng.randint(9, 17), rng.randint(0, 59))
        previous = None
        for target in ["draft", *{"draft": [], "submitted": ["submitted"], "approved": ["submitted", "approved"],
                                  "returned": ["submitted", "returned"]}[status]]:
            ids[StatSummaryStep] += 1
            rows[StatSummaryStep].append({
                "id": ids[StatSummaryStep], "tenant_id": tenant_id, "summary_id": ids[StatSummary],
                "at": min(at, now), "user_id": None, "from_status": StatReportStatus[previous] if previous else None,
                "to_status": StatReportStatus[target],
                "comment": "Уточните раздел 4." if target == "returned" else None})
            previous, at = target, at + datetime.timedelta(days=rng.randint(3, 20))

    found = session.execute(
        select(StatReport.tenant_id, StatReport.year, StatReport.status, StatReport.edition, StatReport.values)
        .where(StatReport.tenant_id.in_(districts)).order_by(StatReport.tenant_id, StatReport.year)
        .execution_options(yield_per=2000))
    key, reports = None, []
    for tenant_id, year, status, code, values in found:
        if (tenant_id, year) != key:
            if key is not None:
                add(*key, reports)
            key, reports = (tenant_id, year), []
        reports.append((status, code, values))
    if key is not None:
        add(*key, reports)
    flush()
    _follow_ids(session, (StatSummary, StatSummaryStep))
    session.commit()
    return {table.__tablename__: n for table, n in counts.items() if n}
