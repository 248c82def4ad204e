"""Meetings and their protocols: seminars, conferences, meetings and round tables a
district or a region holds, with who was present, the agenda items (who spoke, what was
heard and said, what was decided, by whom and by when), and the protocol printed in the
organisation's own language (app/reports/protocol.py).

A meeting and its items belong to the tenant that held it; its chair, secretary, staff
present and the people responsible for a decision are that tenant's own staff (the
database's composite keys say so too). Guests from outside are typed, one per line.
"""
from flask_babel import gettext, lazy_gettext, ngettext
from flask_appbuilder import Model, expose, has_access
from sqlalchemy import (
    CheckConstraint, Column, Date, ForeignKeyConstraint, Index, Integer, PrimaryKeyConstraint, String,
    Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.api.base import RecordApi
from app.choices import Choice, _l  # _l: a choice's label, said when printed
from app.models import choice
from app.reports.protocol import protocol_page
from app.security.roles import DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import TenantOwned
from app.views.base import RecordView

from . import RecordType, declare


class MeetingKind(Choice):
    seminar = _l("Seminar")
    conference = _l("Conference")
    meeting = _l("Meeting")
    round_table = _l("Round table")
    other = _l("Other meeting")


# The staff present at a meeting: the meeting's tenant's own (one tenant_id for both keys).
meeting_attendee = Table(
    "meeting_attendee", Model.metadata,
    Column("tenant_id", Integer, nullable=False),
    Column("meeting_id", Integer, nullable=False),
    Column("staff_id", Integer, nullable=False),
    PrimaryKeyConstraint("tenant_id", "meeting_id", "staff_id", name="pk_meeting_attendee"),
    ForeignKeyConstraint(["tenant_id", "meeting_id"], ["meeting.tenant_id", "meeting.id"],
                         name="fk_meeting_attendee_meeting", ondelete="CASCADE"),
    ForeignKeyConstraint(["tenant_id", "staff_id"], ["staff.tenant_id", "staff.id"],
                         name="fk_meeting_attendee_staff"),
    Index("ix_meeting_attendee_staff", "tenant_id", "staff_id"),
)


def _staff(cls: str, column: str):
    """One of the tenant's own staff, by `column` (the tenant key is the record's own)."""
    return relationship("Staff", primaryjoin=f"and_(Staff.id == foreign({cls}.{column}), "
                                             f"Staff.tenant_id == {cls}.tenant_id)")


class Meeting(TenantOwned, Model):
    __tablename__ = "meeting"
    __search_column__ = "topic"
    __table_args__ = (
        Index("ix_meeting_tenant_day", "tenant_id", "held_on"),
        UniqueConstraint("tenant_id", "id", name="uq_meeting_tenant_id"),  # what its items and attendees refer to
        CheckConstraint("others >= 0", name="ck_meeting_others"),
        *(ForeignKeyConstraint(["tenant_id", f"{name}_id"], ["staff.tenant_id", "staff.id"],
                               name=f"fk_meeting_{name}") for name in ("chair", "secretary")),
    )
    id = Column(Integer, primary_key=True)
    kind = choice(MeetingKind, nullable=False)
    held_on = Column(Date, nullable=False)
    place = Column(String(255))
    topic = Column(String(500), nullable=False)
    chair_id = Column(Integer)
    chair = _staff("Meeting", "chair_id")
    secretary_id = Column(Integer)
    secretary = _staff("Meeting", "secretary_id")
    attendees = relationship(
        "Staff", secondary=meeting_attendee,
        primaryjoin="and_(Meeting.id == meeting_attendee.c.meeting_id, "
                    "Meeting.tenant_id == meeting_attendee.c.tenant_id)",
        secondaryjoin="and_(Staff.id == meeting_attendee.c.staff_id, "
                      "Staff.tenant_id == meeting_attendee.c.tenant_id)",
        order_by="Staff.full_name")
    guests = Column(Text)  # one per line: "Name — position"
    others = Column(Integer)  # present besides those named
    conclusions = Column(Text)  # the protocol's "Итоги"
    # Its agenda: parts of it, deleted with it (app.dependents does not count them).
    items = relationship("MeetingItem", back_populates="meeting", cascade="all, delete-orphan",
                         order_by="(MeetingItem.number.is_(None), MeetingItem.number, MeetingItem.id)")

    def __str__(self):
        return self.topic

    def guest_lines(self) -> list[str]:
        return [line.strip() for line in (self.guests or "").splitlines() if line.strip()]

    def present(self) -> list:
        """The staff present, the chair and the secretary first."""
        named = [s for s in (self.chair, self.secretary) if s is not None]
        return list(dict.fromkeys([*named, *self.attendees]))

    def headcount(self) -> int:
        return len(self.present()) + len(self.guest_lines()) + (self.others or 0)

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """The people named are the meeting's organisation's own staff; the chair and the
        secretary are two people."""
        found = {}
        tenant = values.get("tenant")
        if tenant is not None:
            for name in ("chair", "secretary"):
                person = values.get(name)
                if person is not None and person.tenant_id != tenant.id:
                    found[name] = gettext("Choose a staff member of the organisation that held the meeting.")
            if any(person.tenant_id != tenant.id for person in values.get("attendees") or []):
                found["attendees"] = gettext("Choose staff members of the organisation that held the meeting.")
        chair, secretary = values.get("chair"), values.get("secretary")
        if chair is not None and chair is secretary:
            found["secretary"] = gettext("The secretary is someone other than the chair.")
        if isinstance(values.get("others"), int) and values["others"] < 0:
            found["others"] = gettext("Cannot be negative.")
        return found


class MeetingItem(TenantOwned, Model):
    """An item of a meeting's agenda, with what was heard, said and decided."""

    __tablename__ = "meeting_item"
    __search_column__ = "title"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "meeting_id"], ["meeting.tenant_id", "meeting.id"],
                             name="fk_meeting_item_meeting", ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "responsible_id"], ["staff.tenant_id", "staff.id"],
                             name="fk_meeting_item_responsible"),
        Index("ix_meeting_item_tenant_meeting", "tenant_id", "meeting_id"),
        Index("ix_meeting_item_tenant_due", "tenant_id", "due_on"),
        CheckConstraint("number > 0", name="ck_meeting_item_number"),
    )
    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, nullable=False)
    # The item's tenant follows its meeting's.
    meeting = relationship("Meeting", foreign_keys="[MeetingItem.tenant_id, MeetingItem.meeting_id]",
                           back_populates="items")
    tenant = relationship("Tenant", viewonly=True)
    number = Column(Integer)  # its place on the agenda; none: after the numbered ones
    title = Column(String(500), nullable=False)
    speakers = Column(String(500))
    heard = Column(Text)  # Слушали: the report
    said = Column(Text)  # Выступали: the discussion
    decision = Column(Text)  # Решили
    responsible_id = Column(Integer)
    responsible = _staff("MeetingItem", "responsible_id")
    due_on = Column(Date)

    def __str__(self):
        return self.title

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        found = {}
        meeting, person = values.get("meeting"), values.get("responsible")
        if meeting is not None and person is not None and person.tenant_id != meeting.tenant_id:
            found["responsible"] = gettext("Choose a staff member of the organisation that held the meeting.")
        due = values.get("due_on")
        if meeting is not None and due is not None and meeting.held_on is not None and due < meeting.held_on:
            found["due_on"] = gettext("A decision cannot be due before the meeting.")
        number = values.get("number")
        if isinstance(number, int) and number < 1:
            found["number"] = gettext("Number the items from 1.")
        return found


LABELS = {
    "held_on": lazy_gettext("Date"), "place": lazy_gettext("Place"), "topic": lazy_gettext("Topic"),
    "chair": lazy_gettext("Chair"), "secretary": lazy_gettext("Secretary"),
    "attendees": lazy_gettext("Staff present"), "guests": lazy_gettext("Guests"),
    "others": lazy_gettext("Others present (number)"), "conclusions": lazy_gettext("Conclusions"),
}
COLUMNS = ["kind", "held_on", "place", "topic", "tenant", "chair", "secretary", "attendees", "guests",
           "others", "conclusions"]

ITEM_LABELS = {
    "meeting": lazy_gettext("Meeting or seminar"), "number": lazy_gettext("No."), "title": lazy_gettext("Agenda item"),
    "speakers": lazy_gettext("Speakers"), "heard": lazy_gettext("Heard"), "said": lazy_gettext("Spoke"),
    "decision": lazy_gettext("Decided"), "responsible": lazy_gettext("Responsible"),
    "due_on": lazy_gettext("Due"),
}
ITEM_COLUMNS = ["meeting", "number", "title", "speakers", "heard", "said", "decision", "responsible", "due_on"]


class MeetingView(RecordView):
    model = Meeting
    list_title, show_title = lazy_gettext("Meetings and seminars"), lazy_gettext("Meeting or seminar")
    add_title, edit_title = lazy_gettext("Add a meeting or seminar"), lazy_gettext("Edit a meeting or seminar")
    list_columns = ["held_on", "kind", "topic", "tenant", "chair", "place"]
    search_columns = ["kind", "held_on", "topic", "tenant", "place", "chair", "attendees"]
    add_columns = edit_columns = show_columns = COLUMNS
    order_columns = ["held_on", "kind", "topic"]
    base_order = ("held_on", "desc")
    description_columns = {
        "guests": lazy_gettext("Those from outside the network, one per line: name — position."),
        "others": lazy_gettext("Present besides the staff and guests named."),
        "conclusions": lazy_gettext("What the meeting concluded, for the end of its protocol."),
    }
    method_permission_name = {**RecordView.method_permission_name, "protocol": "show"}
    printouts = (("protocol", lazy_gettext("Protocol"), "fa-print"),)

    @expose("/protocol/<pk>")
    @has_access
    def protocol(self, pk):
        """The meeting's protocol, to print (app/reports/protocol.py)."""
        return self.printed(pk, protocol_page)


class MeetingItemView(RecordView):
    model = MeetingItem
    list_title, show_title = lazy_gettext("Agenda items"), lazy_gettext("Agenda item")
    add_title, edit_title = lazy_gettext("Add an agenda item"), lazy_gettext("Edit an agenda item")
    list_columns = ["number", "title", "meeting", "speakers", "responsible", "due_on"]
    search_columns = ["meeting", "title", "speakers", "responsible", "due_on"]
    add_columns = edit_columns = show_columns = ITEM_COLUMNS
    order_columns = ["number", "title", "due_on"]
    base_order = ("number", "asc")
    description_columns = {
        "number": lazy_gettext("Its place on the agenda; left empty, it comes after the numbered ones."),
        "speakers": lazy_gettext("Who reported on it, as the protocol names them."),
        "heard": lazy_gettext("What the speakers reported."),
        "said": lazy_gettext("Who spoke in the discussion, and what they said."),
    }


class MeetingApi(RecordApi):
    model, resource_name = Meeting, "meeting"
    add_columns = edit_columns = COLUMNS
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", "kind", "held_on", "place", "topic",
                                   "chair.id", "chair.full_name", "secretary.id", "secretary.full_name",
                                   "attendees.id", "attendees.full_name", "guests", "others", "conclusions"]
    order_columns = ["held_on", "kind", "topic"]


class MeetingItemApi(RecordApi):
    model, resource_name = MeetingItem, "meeting_item"
    add_columns = edit_columns = ITEM_COLUMNS
    list_columns = show_columns = ["id", "meeting.id", "meeting.topic", "number", "title", "speakers", "heard",
                                   "said", "decision", "responsible.id", "responsible.full_name", "due_on"]
    order_columns = ["number", "title", "due_on"]


def demo_meetings(tenants: dict, libraries: dict) -> None:
    """The demo's meetings (app/demo_data/meetings.py), the Kirensk seminar of seed 004 first."""
    from sqlalchemy import select

    from app.demo_data.meetings import MEETINGS
    from app.extensions import db
    from app.models import Staff

    for data in MEETINGS:
        data = dict(data)
        owner, items = tenants[data.pop("owner")], data.pop("items")
        if db.session.scalar(select(Meeting.id).filter_by(tenant=owner, topic=data["topic"])):
            continue
        staff = {s.full_name: s for s in db.session.scalars(select(Staff).where(Staff.tenant_id == owner.id))}
        meeting = Meeting(tenant=owner, chair=staff[data.pop("chair")], secretary=staff[data.pop("secretary")],
                          attendees=[staff[name] for name in data.pop("attendees")], **data)
        for number, item in enumerate(items, 1):
            item = dict(item)
            person = item.pop("responsible", None)
            meeting.items.append(MeetingItem(number=number, responsible=staff[person] if person else None, **item))
        db.session.add(meeting)
    db.session.flush()


declare(RecordType(
    "meeting", MeetingView, MeetingApi, "Meetings", lazy_gettext("Meetings and seminars"), lazy_gettext("Meeting or seminar"),
    "fa-comments", {DIRECTOR: "raed", METHODOLOGIST: "raed", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d meeting", "%(num)d meetings", n),
    labels=LABELS, demo=demo_meetings, natural_key=("tenant", "held_on", "topic"), category="Work", order=30,
))
declare(RecordType(
    "meeting_item", MeetingItemView, MeetingItemApi, "Agenda items", lazy_gettext("Agenda items"),
    lazy_gettext("Agenda item"), "fa-list-ol", {DIRECTOR: "raed", METHODOLOGIST: "raed", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d agenda item", "%(num)d agenda items", n),
    labels=ITEM_LABELS, listed_on=("meeting",), natural_key=("meeting", "number"), category="Work",
    order=31,
))
