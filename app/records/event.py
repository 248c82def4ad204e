"""The events journal (мероприятия / културни прояви): what each library plans and holds.

A month's plan is its planned events; a held one records its attendance, with children up
to 14 and youth from 15 to 30 as form 6-НК counts them. Branch staff keep their library's
events; the district and the region read theirs.
"""
import re

from flask_babel import gettext, lazy_gettext, ngettext
from flask_appbuilder import Model
from sqlalchemy import (
    CheckConstraint, Column, Date, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text,
)
from sqlalchemy.orm import relationship

from app.api.base import RecordApi
from app.choices import Audience, Choice, _l  # _l: a choice's label, said when printed
from app.models import choice
from app.reports.event_plan import EventPlanView
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import LibraryOwned
from app.views.base import RecordView

from . import RecordType, declare


class EventForm(Choice):
    presentation = _l("Book presentation")
    evening = _l("Literary or musical evening")
    exhibition = _l("Book exhibition")
    meeting = _l("Meeting with an author or a veteran")
    quiz = _l("Quiz")
    master_class = _l("Master class")
    lecture = _l("Lecture or talk")
    round_table = _l("Round table")
    excursion = _l("Excursion")
    film = _l("Film screening (social cinema hall)")
    marathon = _l("Reading marathon")
    competition = _l("Competition")
    other = _l("Other form")


class EventTheme(Choice):
    patriotic = _l("Patriotic")
    local_history = _l("Local history")
    ecology = _l("Ecology")
    family = _l("Family reading")
    health = _l("Health and prevention")
    civics = _l("Law and civics")
    literature = _l("Literature and reading")
    other = _l("Other theme")


class EventFormat(Choice):
    on_site = _l("In the library")
    outreach = _l("Away from the library")
    online = _l("Online")


class EventStatus(Choice):
    planned = _l("Planned")
    held = _l("Held")
    cancelled = _l("Cancelled")


TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class Event(LibraryOwned, Model):
    __tablename__ = "event"
    __search_column__ = "title"
    __table_extra__ = (
        Index("ix_event_tenant_day", "tenant_id", "held_on"),
        CheckConstraint("attendance >= 0 AND children >= 0 AND youth >= 0", name="ck_event_counts"),
        CheckConstraint("children + youth <= attendance", name="ck_event_parts"),
        # A club, outreach point or staff member of the event's own tenant (its library: __rules__).
        *(ForeignKeyConstraint(["tenant_id", f"{name}_id"], [f"{name}.tenant_id", f"{name}.id"],
                               name=f"fk_event_{name}") for name in ("club", "outreach", "staff")),
    )
    id = Column(Integer, primary_key=True)
    title = Column(String(255), nullable=False)
    held_on = Column(Date, nullable=False)
    starts_at = Column(String(5))  # "18:30", the library's local time
    form = choice(EventForm, nullable=False)
    theme = choice(EventTheme)
    format = choice(EventFormat, nullable=False, default=EventFormat.on_site)
    place = Column(String(255))  # where it is held away from the library
    link = Column(String(255))  # where it is held online
    audience = choice(Audience)
    status = choice(EventStatus, nullable=False, default=EventStatus.planned)
    # Who came: counted when it has been held (none is not 0 for a planned event).
    attendance = Column(Integer)
    children = Column(Integer)  # of them, children up to 14
    youth = Column(Integer)  # of them, youth from 15 to 30
    club_id = Column(Integer)
    club = relationship("Club", primaryjoin="and_(Club.id == foreign(Event.club_id), Club.tenant_id == Event.tenant_id)")
    outreach_id = Column(Integer)
    outreach = relationship("Outreach", primaryjoin="and_(Outreach.id == foreign(Event.outreach_id), Outreach.tenant_id == Event.tenant_id)")
    contest_id = Column(Integer, ForeignKey("contest.id", name="fk_event_contest"))
    contest = relationship("Contest")
    staff_id = Column(Integer)
    staff = relationship("Staff", primaryjoin="and_(Staff.id == foreign(Event.staff_id), Staff.tenant_id == Event.tenant_id)")
    programme = Column(String(255))  # the programme or project it belongs to
    partners = Column(String(255))
    description = Column(Text)

    def __str__(self):
        return self.title

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """Field -> message for what an event's own rules refuse (app.validation.problems)."""
        import datetime

        found = {}
        starts = values.get("starts_at")
        if starts and not TIME.fullmatch(starts):
            found["starts_at"] = gettext("Enter a time as 18:30.")
        status = getattr(values.get("status"), "name", values.get("status"))
        day = values.get("held_on")
        if status == "held" and isinstance(day, datetime.date) and day > datetime.date.today():
            found["held_on"] = gettext("An event still to come cannot be held yet: mark it planned.")
        whole = values.get("attendance")
        if status == "held" and whole is None and "attendance" in values:
            found["attendance"] = gettext("Enter how many came to the event.")
        for part in ("children", "youth"):
            if isinstance(values.get(part), int) and values[part] < 0:
                found[part] = gettext("Cannot be negative.")
        parts = [values.get(p) for p in ("children", "youth") if isinstance(values.get(p), int)]
        if parts and "children" not in found and "youth" not in found:
            if whole is None:
                found["attendance"] = gettext("Enter the attendance the children and youth are part of.")
            elif isinstance(whole, int) and sum(parts) > whole:
                found["attendance"] = gettext("Children and youth together cannot be more than the attendance.")
        library = values.get("library")
        for name in ("club", "outreach", "staff"):  # what belongs to a library: the event's own
            related = values.get(name)
            if related is not None and library is not None and related.library_id != library.id:
                found[name] = gettext("Choose one that belongs to the event's library.")
        return found


LABELS = {
    "held_on": lazy_gettext("Date"), "starts_at": lazy_gettext("Time"), "form": lazy_gettext("Form"), "theme": lazy_gettext("Theme"),
    "format": lazy_gettext("Format"), "place": lazy_gettext("Place"), "link": lazy_gettext("Link"),
    "attendance": lazy_gettext("Attendance"), "children": lazy_gettext("Of them children (up to 14)"),
    "youth": lazy_gettext("Of them youth (15–30)"), "club": lazy_gettext("Club"), "outreach": lazy_gettext("Outreach point"),
    "staff": lazy_gettext("In charge"), "programme": lazy_gettext("Programme or project"), "partners": lazy_gettext("Partners"),
}
COLUMNS = ["title", "library", "held_on", "starts_at", "form", "theme", "format", "place", "link",
           "audience", "status", "attendance", "children", "youth", "club", "outreach", "contest",
           "staff", "programme", "partners", "description"]


class EventView(RecordView):
    model = Event
    list_title, show_title = lazy_gettext("Events"), lazy_gettext("Event")
    add_title, edit_title = lazy_gettext("Add an event"), lazy_gettext("Edit an event")
    list_columns = ["held_on", "starts_at", "title", "library", "form", "status", "attendance"]
    totals_columns = ("attendance",)
    quick_search_columns = ["title", "programme", "partners"]  # not the time of day
    description_columns = {
        "starts_at": lazy_gettext("Hours and minutes, as 18:30."),
        "attendance": lazy_gettext("Filled in once the event has been held."),
        "place": lazy_gettext("Where it is held away from the library."),
        "link": lazy_gettext("Where it is held online."),
    }
    search_columns = ["title", "library", "held_on", "form", "theme", "format", "status", "club"]
    add_columns = edit_columns = show_columns = COLUMNS
    order_columns = ["held_on", "title", "form", "status", "attendance"]
    base_order = ("held_on", "desc")


class EventApi(RecordApi):
    model, resource_name = Event, "event"
    add_columns = edit_columns = COLUMNS
    list_columns = show_columns = ["id", "library.id", "library.name", "title", "held_on", "starts_at",
                                   "form", "theme", "format", "place", "link", "audience", "status",
                                   "attendance", "children", "youth", "club.id", "club.name",
                                   "outreach.id", "outreach.location", "contest.id", "contest.title",
                                   "staff.id", "staff.full_name", "programme", "partners", "description"]
    order_columns = ["held_on", "title", "form", "status", "attendance"]


def demo_events(tenants: dict, libraries: dict) -> None:
    """The demo's events (app/demo_data/events.csv): days count from the day of loading,
    so the held ones stay past and the planned ones ahead."""
    import csv
    import datetime
    from pathlib import Path

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Club

    by_name = {name: library for (_code, name), library in libraries.items()}
    path = Path(__file__).parents[1] / "demo_data" / "events.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            library = by_name[row["library"]]
            if db.session.scalar(select(Event.id).filter_by(library=library, title=row["title"])):
                continue
            club = db.session.scalars(select(Club).filter_by(library=library, name=row["club"])).one() \
                if row["club"] else None
            count = {k: int(row[k]) if row[k] else None for k in ("attendance", "children", "youth")}
            db.session.add(Event(
                library=library, club=club, title=row["title"], starts_at=row["time"] or None,
                held_on=datetime.date.today() + datetime.timedelta(days=int(row["days"])),
                form=EventForm[row["form"]], theme=EventTheme[row["theme"]],
                format=EventFormat[row["format"]], audience=Audience[row["audience"]],
                status=EventStatus[row["status"]], partners=row["partners"] or None,
                place=row["place"] or None, **count))
    db.session.flush()


declare(RecordType(
    "event", EventView, EventApi, "Events", lazy_gettext("Events"), lazy_gettext("Event"), "fa-calendar",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "raed", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d event", "%(num)d events", n),
    labels=LABELS, demo=demo_events, listed_on=("library", "club"), reports=(EventPlanView,),
    natural_key=("library", "held_on", "title"), category="Work", order=10,
))
