"""The dashboard's figures: one aggregate query per indicator, grouped by library (a
district's page) or by tenant (a region's, the network's), so the number of queries
stays the same however many districts or libraries there are.

A figure is a Counter key: "staff", "libraries.branch", "age.under_30"...
"""
from __future__ import annotations

import datetime
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from app.choices import ContestResult, Education, LibraryKind, LibraryStatus, TenantKind
from app.models import Club, Contest, ContestEntry, Library, Outreach, Staff, Tenant
from app.tenancy.session import current_scope

HIGHER = (Education.higher_library, Education.higher_other)
LIBRARY_EDUCATION = (Education.higher_library, Education.secondary_library)
PLACES = (ContestResult.first_place, ContestResult.second_place, ContestResult.third_place)
# The bands of section 6 of form 6-НК: age up to 30, 30 to 55, 55 and over; length of
# service up to 3, 3 to 6, 6 to 10, over 10 years. Each band includes its lower bound.
AGE_BANDS = ("under_30", "30_55", "55_over")
SERVICE_BANDS = ("under_3", "3_6", "6_10", "over_10")


@dataclass
class Unit:
    """A row of the dashboard: a library, a district, or a region."""

    id: int
    name: str
    opens: int | None = None  # the tenant whose dashboard the row opens
    own: bool = False  # a region's own row: its regional libraries and contests


@dataclass
class Report:
    node: Tenant | None  # None: the whole network
    units: list[Unit]
    rows: dict[int, Counter]
    own: Counter = field(default_factory=Counter)  # the node's figures in no row: a district's contests
    year: int | None = None  # the year of the contest figures
    years: list[int] = field(default_factory=list)
    event_year: int | None = None  # the year of the event figures: this calendar year

    @property
    def by_library(self) -> bool:
        return self.node is not None and self.node.kind is TenantKind.district

    @property
    def total(self) -> Counter:
        total = Counter(self.own)
        for row in self.rows.values():
            total.update(row)
        return total


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def staff_bands(today: datetime.date) -> dict:
    """Figure -> the condition a staff member meets to count in it."""
    year, ago = today.year, lambda n: years_before(today, n)
    born, hired = Staff.birth_year, Staff.hired_on
    return {
        "staff.higher": Staff.education.in_(HIGHER),
        "staff.library": Staff.education.in_(LIBRARY_EDUCATION),
        "age.under_30": born > year - 30,
        "age.30_55": born.between(year - 54, year - 30),
        "age.55_over": born <= year - 55,
        "service.under_3": hired > ago(3),
        "service.3_6": (hired <= ago(3)) & (hired > ago(6)),
        "service.6_10": (hired <= ago(6)) & (hired > ago(10)),
        "service.over_10": hired <= ago(10),
    }


def _units(session, node):
    """(units, row key -> unit id, tenant ids the page covers or None for all)."""
    if node is None:  # the network: one row per region, its districts summed in
        tenants = session.execute(select(Tenant.id, Tenant.name, Tenant.parent_id)
                                  .order_by(Tenant.name)).all()
        units = [Unit(t.id, t.name, opens=t.id) for t in tenants if t.parent_id is None]
        return units, {t.id: t.parent_id or t.id for t in tenants}, None
    if node.kind is TenantKind.region:
        tenants = session.execute(select(Tenant.id, Tenant.name)
                                  .where(or_(Tenant.id == node.id, Tenant.parent_id == node.id))
                                  .order_by(Tenant.name)).all()
        units = [Unit(node.id, node.name, own=True)]
        units += [Unit(t.id, t.name, opens=t.id) for t in tenants if t.id != node.id]
        return units, {t.id: t.id for t in tenants}, sorted(t.id for t in tenants)
    libraries = session.execute(select(Library.id, Library.name, Library.kind)
                                .where(Library.tenant_id == node.id).order_by(Library.name)).all()
    order = list(LibraryKind)  # the central library first, as a district lists them
    libraries = sorted(libraries, key=lambda lib: order.index(lib.kind))
    return [Unit(lib.id, lib.name) for lib in libraries], {lib.id: lib.id for lib in libraries}, [node.id]


def report(session, node: Tenant | None, year: int | None = None,
           today: datetime.date | None = None) -> Report:
    """The figures of `node` (a region, a district; None: the network), per row and total."""
    today = today or datetime.date.today()
    if node is None and current_scope(session).unrestricted:
        return _network(session, year, today)
    return _report(session, node, year, today)


# The network's figures scan every table of the country (about a second at national size);
# they are kept, per year and day, until a write (every write leaves a row in the audit
# trail: its highest id says whether anything changed) or for a few minutes at most (an
# operator's bulk load bypasses the trail).
NETWORK_KEEP_SECONDS = 300
_keeping = threading.Lock()


def _network(session, year, today) -> Report:
    from flask import current_app

    from app.audit import AuditEntry

    mark = session.scalar(select(func.max(AuditEntry.id)))
    key = (year, today)
    _kept = current_app.extensions.setdefault("libnet.network_figures", {})  # the app's own
    with _keeping:
        found = _kept.get(key)
    if found is not None and found[0] == mark and time.monotonic() - found[1] < NETWORK_KEEP_SECONDS:
        return found[2]
    figures = _report(session, None, year, today)
    with _keeping:
        if len(_kept) > 8:
            _kept.clear()
        _kept[key] = (mark, time.monotonic(), figures)
    return figures


def _report(session, node: Tenant | None, year: int | None, today: datetime.date) -> Report:
    units, unit_of, tenant_ids = _units(session, node)
    by_library = node is not None and node.kind is TenantKind.district
    rows = defaultdict(Counter, {unit.id: Counter() for unit in units})
    own = Counter()

    def key(cls):
        return getattr(cls, cls.__tenant_keys__[1]) if by_library else cls.tenant_id

    def grouped(cls, *columns, where=(), by=()):
        stmt = select(key(cls), *columns).where(*where).group_by(key(cls), *by)
        return session.execute(_on_page(session, stmt, cls, tenant_ids))

    def add(row_key, counts):
        if row_key in unit_of:
            rows[unit_of[row_key]].update(counts)

    for row_key, kind, n in grouped(Library, Library.kind, func.count(),
                                    where=[Library.status == LibraryStatus.active], by=[Library.kind]):
        add(row_key, {"libraries": n, f"libraries.{kind.name}": n})

    bands = staff_bands(today)
    sums = [func.sum(case((condition, 1), else_=0)) for condition in bands.values()]
    for row_key, n, *counts in grouped(Staff, func.count(), *sums, where=[Staff.active]):
        add(row_key, {"staff": n, **dict(zip(bands, map(int, counts)))})

    for row_key, audience, n, members in grouped(Club, Club.audience, func.count(), func.sum(Club.members),
                                                 where=[Club.active], by=[Club.audience]):
        add(row_key, {"clubs": n, "members": members or 0, f"clubs.{audience.name}": n,
                      f"members.{audience.name}": members or 0})

    for row_key, kind, n, readers in grouped(Outreach, Outreach.kind, func.count(),
                                             func.sum(Outreach.readers_served), by=[Outreach.kind]):
        add(row_key, {"outreach": n, "readers": readers or 0, f"outreach.{kind.name}": n,
                      f"readers.{kind.name}": readers or 0})

    # Events of this calendar year: held (and who came), planned, cancelled.
    from app.records.event import Event

    event_year = today.year
    for row_key, status, n, attendance, children, youth in grouped(
            Event, Event.status, func.count(), func.sum(Event.attendance), func.sum(Event.children),
            func.sum(Event.youth), by=[Event.status],
            where=[Event.held_on.between(datetime.date(event_year, 1, 1), datetime.date(event_year, 12, 31))]):
        counts = {f"events.{status.name}": n}
        if status.name == "held":
            counts.update({"attendance": attendance or 0, "attendance.children": children or 0,
                           "attendance.youth": youth or 0})
        add(row_key, counts)

    years = _contest_years(session, tenant_ids)
    if year is None:  # the latest year with figures (not a year still to come), not the calendar's
        year = max([y for y in years if y <= today.year] or years or [None])
    if year is not None:
        held = select(Contest.tenant_id, func.count()).where(Contest.year == year).group_by(Contest.tenant_id)
        for tenant_id, n in session.execute(_on_page(session, held, Contest, tenant_ids)):
            if by_library:
                own["contests"] += n
            else:
                add(tenant_id, {"contests": n})
        for row_key, result, n in grouped(ContestEntry, ContestEntry.result, func.count(),
                                          where=[ContestEntry.contest.has(Contest.year == year)],
                                          by=[ContestEntry.result]):
            counts = {"entries": n}
            if result in PLACES:
                counts.update({"winners": n, f"place.{result.name}": n})
            add(row_key, counts)

    # A region's own row only where it has libraries or contests of its own.
    units = [u for u in units if not u.own or any(rows[u.id].values())]
    return Report(node, units, dict(rows), own, year, years, event_year)


def _contest_years(session, tenant_ids) -> list[int]:
    """Years with contest figures on the page: contests its tenants held, or its libraries
    entered (a region's contest that none of them entered leaves the page's year alone)."""
    stmt = select(Contest.year).distinct()
    if tenant_ids is not None:
        entered = select(ContestEntry.contest_id).where(ContestEntry.tenant_id.in_(tenant_ids))
        stmt = stmt.where(or_(Contest.tenant_id.in_(tenant_ids), Contest.id.in_(entered)))
    return sorted(session.scalars(stmt))


def _on_page(session, stmt, cls, tenant_ids):
    """`stmt` narrowed to the page's tenants, unless the user's scope (the session rule,
    and row-level security) already keeps it to them: the same condition twice made
    PostgreSQL expect one row where there were hundreds, and plan for that."""
    if tenant_ids is None:
        return stmt
    readable = current_scope(session).readable(cls)
    if readable is not None and readable <= set(tenant_ids):
        return stmt
    return stmt.where(cls.tenant_id.in_(tenant_ids))
