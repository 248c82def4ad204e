"""What a tenant publishes, read in a visitor's scope (app.tenancy.session.as_visitor): its
libraries' contacts and hours, their active clubs and outreach points, and its events
planned from today on.

Columns, not records: only what the pages show is read, and never a person (no staff, no
one in charge of an event, no account). Nothing here names a tenant to filter by: the
scope is the boundary.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.choices import LibraryKind, LibraryStatus, OutreachKind
from app.models import Club, Library, Outreach, Tenant
from app.records.event import Event, EventFormat, EventStatus

# The order of the choices as declared: the central library first, mobile collections first.
KIND_ORDER = {kind: n for n, kind in enumerate(LibraryKind)}
OUTREACH_ORDER = {kind: n for n, kind in enumerate(OutreachKind)}


@dataclass
class Publisher:
    """The region or district whose pages these are."""
    id: int
    code: str
    name: str
    kind: object  # TenantKind
    locale: str
    time_zone: str
    frame_origins: str | None

    def today(self) -> datetime.date:
        """Today where the tenant is: Irkutsk's day starts five hours before Moscow's."""
        return datetime.datetime.now(ZoneInfo(self.time_zone)).date()


@dataclass
class PublicLibrary:
    id: int
    name: str
    kind: LibraryKind
    settlement: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    working_hours: str | None
    closed: bool
    closed_on: datetime.date | None
    clubs: list = field(default_factory=list)  # rows: name, audience, schedule
    outreach: list = field(default_factory=list)  # rows: kind, location


@dataclass
class Group:
    """A tenant's libraries: the region's own, or one district's."""
    tenant_id: int
    name: str
    libraries: list[PublicLibrary]


def publisher(session, tenant_id: int) -> Publisher:
    row = session.execute(select(
        Tenant.id, Tenant.code, Tenant.name, Tenant.kind, Tenant.default_locale, Tenant.time_zone,
        Tenant.public_frame_origins).where(Tenant.id == tenant_id)).one()
    return Publisher(row.id, row.code, row.name, row.kind, row.default_locale.name, row.time_zone,
                     row.public_frame_origins)


def directory(session, home: Publisher) -> list[Group]:
    """The libraries in view, grouped by tenant: the publisher's own first, then its
    districts by name. A closed library is listed as closed, without its clubs and points."""
    tenants = session.execute(select(Tenant.id, Tenant.name)).all()
    libraries = session.execute(select(
        Library.id, Library.tenant_id, Library.name, Library.kind, Library.settlement, Library.address,
        Library.phone, Library.email, Library.website, Library.working_hours, Library.status,
        Library.closed_on)).all()
    found = {row.id: (row.tenant_id, PublicLibrary(
        row.id, row.name, row.kind, row.settlement, row.address, row.phone, row.email, row.website,
        row.working_hours, row.status is LibraryStatus.closed, row.closed_on)) for row in libraries}
    clubs = session.execute(select(Club.library_id, Club.name, Club.audience, Club.schedule)
                            .where(Club.active.is_(True))).all()
    points = session.execute(select(Outreach.library_id, Outreach.kind, Outreach.location)).all()
    for rows, attr, order in ((clubs, "clubs", lambda r: r.name),
                              (points, "outreach", lambda r: (OUTREACH_ORDER[r.kind], r.location))):
        for row in sorted(rows, key=order):
            library = found.get(row.library_id, (None, None))[1]
            if library is not None and not library.closed:
                getattr(library, attr).append(row)
    groups = []
    for tenant in sorted(tenants, key=lambda t: (t.id != home.id, t.name)):
        listed = sorted((library for owner, library in found.values() if owner == tenant.id),
                        key=lambda lib: (lib.closed, KIND_ORDER[lib.kind], lib.name))
        if listed or tenant.id == home.id:
            groups.append(Group(tenant.id, tenant.name, listed))
    return groups


@dataclass
class PublicEvent:
    id: int
    sequence: int  # how many times it has been saved since it was added (iCalendar's SEQUENCE)
    title: str
    day: datetime.date
    time: str | None  # "18:30", the library's local time
    form: object  # EventForm
    format: object  # EventFormat
    place: str | None  # only when held away from the library
    link: str | None  # only when held online
    audience: object | None  # Audience
    library_id: int
    library: str
    address: str | None
    organisation: str  # the district (or region) the library belongs to
    time_zone: str


def planned_events(session, home: Publisher) -> list[PublicEvent]:
    """The events in view still planned, from the publisher's today on, in their order."""
    rows = session.execute(
        select(Event.id, Event.version, Event.title, Event.held_on, Event.starts_at, Event.form,
               Event.format, Event.place, Event.link, Event.audience, Library.id.label("library_id"),
               Library.name.label("library"), Library.address, Tenant.name.label("organisation"),
               Tenant.time_zone)
        .join(Library, (Library.id == Event.library_id) & (Library.tenant_id == Event.tenant_id))
        .join(Tenant, Tenant.id == Event.tenant_id)
        .where(Event.status == EventStatus.planned, Event.held_on >= home.today())).all()
    events = [PublicEvent(
        row.id, max(row.version - 1, 0), row.title, row.held_on, row.starts_at, row.form, row.format,
        row.place if row.format is EventFormat.outreach else None,
        row.link if row.format is EventFormat.online else None,
        row.audience, row.library_id, row.library, row.address, row.organisation, row.time_zone)
        for row in rows]
    # In Python, not SQL: an event without a time sorts the same on SQLite and PostgreSQL.
    return sorted(events, key=lambda e: (e.day, e.time or "", e.title, e.id))
