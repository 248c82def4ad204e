"""The methodological work of districts and regions: field visits, consultations,
seminars, practicums, training-school classes, monitoring.

An activity belongs to the tenant that did it. The libraries it was for may lie below:
a region's methodologist visits two libraries of a district, and that district reads the
visit (read-only), as it reads its region's contests; another district does not. So do
its attendees: staff of the activity's tenant or of its districts, whose district reads
the region's seminar they attended (their history of training, on the staff card). A
training session may be a class of one of the tenant's programmes (method_programme.py).
"""
from flask_babel import gettext, lazy_gettext, ngettext
from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, ForeignKeyConstraint, Index, Integer, Numeric, String,
    Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.api.base import RecordApi
from app.choices import Choice, _l  # _l: a choice's label, said when printed
from app.models import choice
from app.reports.method_work import MethodReportView
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import TenantOwned
from app.views.base import RecordView

from . import RecordType, declare


class ActivityKind(Choice):
    field_visit = _l("Field visit")
    consultation = _l("Individual consultation")
    group_consultation = _l("Group consultation")
    seminar = _l("Seminar")
    practicum = _l("Practicum")
    training_class = _l("Training-school class")
    meeting = _l("Meeting")
    monitoring = _l("Monitoring")
    other = _l("Other activity")


class Channel(Choice):
    in_person = _l("In person")
    phone = _l("By phone")
    email = _l("By e-mail")
    social_group = _l("In a social-network group")
    video = _l("By video link")


# The libraries an activity was for. Each link names the library's tenant, so that the
# tenant concerned reads the activity (app.tenancy.scope, app.tenancy.rls).
method_activity_library = Table(
    "method_activity_library", Model.metadata,
    Column("tenant_id", Integer, nullable=False),  # the activity's (its owner's)
    Column("record_id", Integer, nullable=False, primary_key=True),
    Column("library_tenant_id", Integer, nullable=False),
    Column("library_id", Integer, nullable=False, primary_key=True),
    ForeignKeyConstraint(["tenant_id", "record_id"], ["method_activity.tenant_id", "method_activity.id"],
                         name="fk_method_activity_library_record", ondelete="CASCADE"),
    ForeignKeyConstraint(["library_tenant_id", "library_id"], ["library.tenant_id", "library.id"],
                         name="fk_method_activity_library_library"),
    Index("ix_method_activity_library_tenant", "library_tenant_id", "library_id"),
)

# The staff who attended an activity; each link names the staff member's tenant, read by it
# as the libraries' link is.
method_activity_attendee = Table(
    "method_activity_attendee", Model.metadata,
    Column("tenant_id", Integer, nullable=False),  # the activity's (its owner's)
    Column("record_id", Integer, nullable=False, primary_key=True),
    Column("staff_tenant_id", Integer, nullable=False),
    Column("staff_id", Integer, nullable=False, primary_key=True),
    ForeignKeyConstraint(["tenant_id", "record_id"], ["method_activity.tenant_id", "method_activity.id"],
                         name="fk_method_activity_attendee_record", ondelete="CASCADE"),
    ForeignKeyConstraint(["staff_tenant_id", "staff_id"], ["staff.tenant_id", "staff.id"],
                         name="fk_method_activity_attendee_staff"),
    Index("ix_method_activity_attendee_tenant", "staff_tenant_id", "staff_id"),  # a staff member's history
)


class MethodActivity(TenantOwned, Model):
    __tablename__ = "method_activity"
    __search_column__ = "topic"
    # Readable by the tenants of the libraries it was for and of the staff who attended it.
    __readable_where_concerned__ = (("method_activity_library", "library_tenant_id"),
                                    ("method_activity_attendee", "staff_tenant_id"))
    __table_args__ = (
        Index("ix_method_activity_tenant_day", "tenant_id", "held_on"),
        UniqueConstraint("tenant_id", "id", name="uq_method_activity_tenant_id"),  # what links refer to
        CheckConstraint("hours > 0 AND hours <= 1000", name="ck_method_activity_hours"),
        CheckConstraint("others >= 0", name="ck_method_activity_others"),
        ForeignKeyConstraint(["tenant_id", "staff_id"], ["staff.tenant_id", "staff.id"],
                             name="fk_method_activity_staff"),
        ForeignKeyConstraint(["tenant_id", "programme_class_id"],
                             ["method_programme_class.tenant_id", "method_programme_class.id"],
                             name="fk_method_activity_programme_class"),
    )
    id = Column(Integer, primary_key=True)
    kind = choice(ActivityKind, nullable=False)
    held_on = Column(Date, nullable=False)
    hours = Column(Numeric(5, 1))
    channel = choice(Channel)  # how a consultation was given
    topic = Column(String(255), nullable=False)
    staff_id = Column(Integer)  # who performed it: one of the tenant's own staff
    staff = relationship("Staff", primaryjoin="and_(Staff.id == foreign(MethodActivity.staff_id), "
                                              "Staff.tenant_id == MethodActivity.tenant_id)")
    libraries = relationship(
        "Library", secondary=method_activity_library,
        primaryjoin="and_(MethodActivity.id == method_activity_library.c.record_id, "
                    "MethodActivity.tenant_id == method_activity_library.c.tenant_id)",
        secondaryjoin="and_(Library.id == method_activity_library.c.library_id, "
                      "Library.tenant_id == method_activity_library.c.library_tenant_id)",
        order_by="Library.name")
    attendees = relationship(
        "Staff", secondary=method_activity_attendee,
        primaryjoin="and_(MethodActivity.id == method_activity_attendee.c.record_id, "
                    "MethodActivity.tenant_id == method_activity_attendee.c.tenant_id)",
        secondaryjoin="and_(Staff.id == method_activity_attendee.c.staff_id, "
                      "Staff.tenant_id == method_activity_attendee.c.staff_tenant_id)",
        order_by="Staff.full_name")
    programme_class_id = Column(Integer)  # a class of one of the tenant's own programmes
    programme_class = relationship(
        "MethodProgrammeClass", primaryjoin="and_(MethodProgrammeClass.id == foreign(MethodActivity.programme_class_id), "
                                            "MethodProgrammeClass.tenant_id == MethodActivity.tenant_id)")
    purpose = Column(Text)
    result = Column(Text)  # what was found, and the recommendations given
    follow_up = Column(String(500))
    follow_up_due = Column(Date)
    follow_up_done = Column(Boolean, nullable=False, default=False)
    others = Column(Integer)  # attendees from outside the network

    def __str__(self):
        return self.topic

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """The libraries an activity was for and the staff who attended lie in its tenant's
        subtree; its programme class is one of the tenant's own; a follow-up has its due date
        after the activity."""
        found = {}
        tenant, libraries = values.get("tenant"), values.get("libraries") or []
        if tenant is not None:
            for library in libraries:
                if tenant.id not in (library.tenant_id, library.tenant.parent_id):
                    found["libraries"] = gettext("Choose libraries of this organisation or of its districts.")
            for person in values.get("attendees") or []:
                if tenant.id not in (person.tenant_id, person.tenant.parent_id):
                    found["attendees"] = gettext("Choose staff of this organisation or of its districts.")
            chosen = values.get("programme_class")
            if chosen is not None and chosen.tenant_id != tenant.id:
                found["programme_class"] = gettext("Choose a class of this organisation's own programmes.")
        due, day = values.get("follow_up_due"), values.get("held_on")
        if due and day and due < day:
            found["follow_up_due"] = gettext("The follow-up cannot be due before the activity.")
        if values.get("follow_up_done") and not values.get("follow_up"):
            found["follow_up"] = gettext("Say what the follow-up was.")
        return found


LABELS = {
    "held_on": lazy_gettext("Date"), "hours": lazy_gettext("Hours"), "channel": lazy_gettext("Channel"),
    "topic": lazy_gettext("Topic"),
    "libraries": lazy_gettext("Libraries it was for"), "purpose": lazy_gettext("Purpose"),
    "result": lazy_gettext("Result and recommendations"), "follow_up": lazy_gettext("Follow-up"),
    "follow_up_due": lazy_gettext("Follow-up due"), "follow_up_done": lazy_gettext("Follow-up done"),
    "others": lazy_gettext("Other attendees"), "attendees": lazy_gettext("Staff who attended"),
    "programme_class": lazy_gettext("Programme class"),
}
COLUMNS = ["kind", "held_on", "topic", "tenant", "programme_class", "staff", "libraries", "attendees",
           "others", "hours", "channel", "purpose", "result", "follow_up", "follow_up_due", "follow_up_done"]


class MethodActivityView(RecordView):
    model = MethodActivity
    list_title, show_title = lazy_gettext("Methodological work"), lazy_gettext("Methodological activity")
    add_title, edit_title = lazy_gettext("Add an activity"), lazy_gettext("Edit an activity")
    list_columns = ["held_on", "kind", "topic", "tenant", "libraries", "channel", "hours"]
    totals_columns = ("hours",)
    search_columns = ["kind", "held_on", "topic", "tenant", "channel", "libraries", "attendees",
                      "programme_class", "follow_up_done"]
    add_columns = edit_columns = show_columns = COLUMNS
    order_columns = ["held_on", "kind", "topic", "hours"]
    base_order = ("held_on", "desc")
    label_columns = {"staff": lazy_gettext("Performed by")}


class MethodActivityApi(RecordApi):
    model, resource_name = MethodActivity, "method_activity"
    add_columns = edit_columns = COLUMNS
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", "kind", "held_on", "topic",
                                   "staff.id", "staff.full_name", "libraries.id", "libraries.name",
                                   "attendees.id", "attendees.full_name", "programme_class.id",
                                   "programme_class.name", "hours", "channel", "purpose", "result", "follow_up",
                                   "follow_up_due", "follow_up_done", "others"]
    order_columns = ["held_on", "kind", "topic", "hours"]


def demo_activities(tenants: dict, libraries: dict) -> None:
    """The demo's methodological work (app/demo_data/method_activities.csv). A row with a
    count is that many activities spread over its year (a year "+0" is this one, "-1" the
    last: days up to today); its libraries "*" are the owner's own libraries in turn, "*all"
    all of them at once, else names separated by "|"; its attendees, staff of the owner's
    subtree named the same way."""
    import csv
    import datetime
    from decimal import Decimal
    from pathlib import Path

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Staff

    today = datetime.date.today()
    path = Path(__file__).parents[1] / "demo_data" / "method_activities.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    for row in rows:
        owner = tenants[row["owner"]]
        year = today.year + int(row["year"]) if row["year"][0] in "+-" else int(row["year"])
        present = db.session.scalar(select(func.count()).select_from(MethodActivity).where(
            MethodActivity.tenant_id == owner.id, MethodActivity.topic == row["topic"],
            MethodActivity.channel == (Channel[row["channel"]] if row["channel"] else None),
            func.extract("year", MethodActivity.held_on) == year))
        if present:
            continue
        own = sorted((lib for (code, _), lib in libraries.items() if code == row["owner"]), key=lambda lib: lib.name)
        named = [lib for lib in libraries.values() if lib.name in row["libraries"].split("|")]
        below = [t.id for t in tenants.values() if owner.id in (t.id, t.parent_id)]
        attendees = list(db.session.scalars(select(Staff).where(
            Staff.tenant_id.in_(below), Staff.full_name.in_(row["attendees"].split("|"))))) if row["attendees"] else []
        last = today if year == today.year else datetime.date(year, 12, 20)
        first = datetime.date(year, 1, 10)
        count = int(row["count"])
        for n in range(count):
            if row["month"]:
                day = datetime.date(year, int(row["month"]), 15)
            else:
                day = first + datetime.timedelta(days=(last - first).days * n // max(count, 1))
            chosen = [own[n % len(own)]] if row["libraries"] == "*" else own if row["libraries"] == "*all" else named
            db.session.add(MethodActivity(
                tenant=owner, kind=ActivityKind[row["kind"]], held_on=day, topic=row["topic"],
                channel=Channel[row["channel"]] if row["channel"] else None,
                hours=Decimal(row["hours"]) if row["hours"] else None, libraries=chosen, attendees=attendees,
                purpose=row["purpose"] or None, result=row["result"] or None, follow_up_done=False))
    db.session.flush()


declare(RecordType(
    "method_activity", MethodActivityView, MethodActivityApi, "Methodological work",
    lazy_gettext("Methodological work"), lazy_gettext("Methodological activity"), "fa-compass",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "r", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d methodological activity", "%(num)d methodological activities", n),
    # On a staff card through its attendees (the training history), not its performer; on a
    # programme class's card, its sessions.
    labels=LABELS, demo=demo_activities, listed_on=("library", "staff.attendees", "method_programme_class"),
    reports=(MethodReportView,), natural_key=("tenant", "held_on", "kind", "topic"),
    category="Work", order=20,
))
