"""The report of a year's methodological work of a district or a region (the
"организационно-методическая деятельность" section of every annual report): field visits
and the libraries they reached, consultations by kind and channel, trainings with their
hours and outside attendees, monitoring, the staff of the network trained and the sessions
of each training programme's classes; the year before beside.

/method-report/[<id>]        the page (the user's own district or region by default)
/method-report/[<id>/]xlsx   the same as a workbook
The activities counted are the tenant's own (what it did); a tenant outside the user's
scope answers 404, like a missing one.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import abort, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale, gettext as _, lazy_gettext
from sqlalchemy import distinct, func, select

from app.extensions import db
from app.i18n import format_day, format_number
from app.models import Tenant
from app.tenancy.session import current_scope

from .files import XLSX, Sheet, Styled, attachment, xlsx_chunks
from .printing import page_frame
from .years import asked_year


@dataclass(frozen=True)
class Line:
    label: str
    this_year: int | float
    last_year: int | float
    level: int = 0  # 1: a part of the line above

    @property
    def change(self) -> str:
        if not self.last_year:
            return ""
        return f"{(self.this_year - self.last_year) / self.last_year:+.0%}".replace("%", " %")


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]


def _figures(session, tenant_id: int, year: int) -> dict:
    from app.records.method_activity import ActivityKind, Channel, MethodActivity, method_activity_library as link

    def where(*kinds):
        return [MethodActivity.tenant_id == tenant_id, MethodActivity.kind.in_(kinds),
                MethodActivity.held_on.between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))]

    counts = dict(session.execute(select(MethodActivity.kind, func.count()).where(*where(*ActivityKind))
                                  .group_by(MethodActivity.kind)).all())
    consulted = (ActivityKind.consultation, ActivityKind.group_consultation)
    channels = dict(session.execute(select(MethodActivity.channel, func.count()).where(*where(*consulted))
                                    .group_by(MethodActivity.channel)).all())
    trained = (ActivityKind.seminar, ActivityKind.practicum, ActivityKind.training_class, ActivityKind.meeting)
    hours, others = session.execute(select(func.coalesce(func.sum(MethodActivity.hours), 0),
                                           func.coalesce(func.sum(MethodActivity.others), 0))
                                    .where(*where(*trained))).one()
    visited = session.scalar(select(func.count(distinct(link.c.library_id))).select_from(MethodActivity)
                             .join(link, (link.c.record_id == MethodActivity.id)
                                   & (link.c.tenant_id == MethodActivity.tenant_id))
                             .where(*where(ActivityKind.field_visit)))
    return {"kinds": {kind: counts.get(kind, 0) for kind in ActivityKind},
            "channels": {channel: channels.get(channel, 0) for channel in Channel},
            "unknown_channel": channels.get(None, 0), "hours": float(hours), "others": int(others),
            "visited": visited or 0}


def method_report(session, node: Tenant, year: int) -> list[Section]:
    from app.records.method_activity import ActivityKind, Channel

    now, before = _figures(session, node.id, year), _figures(session, node.id, year - 1)

    def line(label, pick, level=0):
        return Line(str(label), pick(now), pick(before), level)

    kinds = lambda *ks: (lambda f: sum(f["kinds"][k] for k in ks))  # noqa: E731
    consulted = (ActivityKind.consultation, ActivityKind.group_consultation)
    trained = (ActivityKind.seminar, ActivityKind.practicum, ActivityKind.training_class, ActivityKind.meeting)
    return [
        Section(_("Field visits"), [
            line(_("Field visits"), kinds(ActivityKind.field_visit)),
            line(_("Libraries visited"), lambda f: f["visited"], 1),
        ]),
        Section(_("Consultations"), [
            line(_("Consultations"), kinds(*consulted)),
            *(line(kind.value, kinds(kind), 1) for kind in consulted),
            *(line(channel.value, lambda f, c=channel: f["channels"][c], 1) for channel in Channel),
            line(_("Channel not recorded"), lambda f: f["unknown_channel"], 1),
        ]),
        Section(_("Training and meetings"), [
            line(_("Training and meetings"), kinds(*trained)),
            *(line(kind.value, kinds(kind), 1) for kind in trained),
            line(_("Hours"), lambda f: f["hours"], 1),
            line(_("Attendees from outside the network"), lambda f: f["others"], 1),
        ]),
        Section(_("Monitoring"), [line(_("Monitoring"), kinds(ActivityKind.monitoring))]),
        Section(_("Other activities"), [line(_("Other activities"), kinds(ActivityKind.other))]),
        publications_by_genre(session, node, year),
        *training_sections(session, node, year),
    ]


def publications_by_genre(session, node: Tenant, year: int) -> Section:
    """The methodological publications the tenant itself prepared in the year, by genre,
    the year before beside (app/records/method_publication.py)."""
    from app.records.method_publication import MethodPublication, PublicationGenre

    def counts(y):
        return dict(session.execute(select(MethodPublication.genre, func.count())
                                    .where(MethodPublication.tenant_id == node.id, MethodPublication.year == y)
                                    .group_by(MethodPublication.genre)).all())

    now, before = counts(year), counts(year - 1)
    return Section(_("Methodological publications"), [
        Line(_("Methodological publications"), sum(now.values()), sum(before.values())),
        *(Line(str(genre.value), now.get(genre, 0), before.get(genre, 0), 1) for genre in PublicationGenre),
    ])


# -- the staff trained, and the sessions of each programme class ----------------------------

def _trained(session, tenant_id: int, year: int) -> dict:
    """Attendees from the network by kind of training, the distinct staff among them, and the
    sessions of each programme class (by id), in the tenant's own trainings of `year`."""
    from app.records.method_activity import ActivityKind, MethodActivity, method_activity_attendee as link

    trained = (ActivityKind.seminar, ActivityKind.practicum, ActivityKind.training_class, ActivityKind.meeting)
    where = [MethodActivity.tenant_id == tenant_id,
             MethodActivity.held_on.between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))]

    def attended(*columns):
        return select(*columns).select_from(MethodActivity).join(
            link, (link.c.record_id == MethodActivity.id) & (link.c.tenant_id == MethodActivity.tenant_id)
        ).where(*where, MethodActivity.kind.in_(trained))

    by_kind = dict(session.execute(attended(MethodActivity.kind, func.count()).group_by(MethodActivity.kind)).all())
    distinct_staff = session.scalar(attended(func.count(distinct(link.c.staff_id))))
    sessions = dict(session.execute(select(MethodActivity.programme_class_id, func.count()).where(
        *where, MethodActivity.programme_class_id.is_not(None)).group_by(MethodActivity.programme_class_id)).all())
    return {"by_kind": {kind: by_kind.get(kind, 0) for kind in trained}, "staff": distinct_staff or 0,
            "sessions": sessions}


def training_sections(session, node: Tenant, year: int) -> list[Section]:
    """Staff of the network trained (attendees by kind, distinct staff) and the sessions of
    each class of the tenant's training programmes; the year before beside."""
    from app.records.method_programme import MethodProgramme, MethodProgrammeClass

    now, before = _trained(session, node.id, year), _trained(session, node.id, year - 1)
    staff = [Line(_("Attendees from the network"), sum(now["by_kind"].values()), sum(before["by_kind"].values())),
             # A label of its own: the kinds' counts of activities are lines of the report too.
             *(Line(_("%(form)s — attendees", form=kind.value), now["by_kind"][kind], before["by_kind"][kind], 1)
               for kind in now["by_kind"]),
             Line(_("Distinct staff trained"), now["staff"], before["staff"])]
    sections = [Section(_("Staff trained"), staff)]
    classes = session.execute(select(MethodProgramme.name, MethodProgrammeClass.id, MethodProgrammeClass.name)
                              .join(MethodProgrammeClass.programme).where(MethodProgramme.tenant_id == node.id)
                              .order_by(MethodProgramme.name, MethodProgrammeClass.position, MethodProgrammeClass.name)).all()
    programmes: dict[str, list] = {}
    for programme, class_id, name in classes:
        programmes.setdefault(programme, []).append((class_id, name))
    for programme, its in programmes.items():
        total = lambda f: sum(f["sessions"].get(i, 0) for i, _name in its)  # noqa: E731
        sections.append(Section(programme, [
            Line(_("Sessions: %(programme)s", programme=programme), total(now), total(before)),
            *(Line(name, now["sessions"].get(i, 0), before["sessions"].get(i, 0), 1) for i, name in its)]))
    return sections


def meetings_section(session, tenant_id: int, year: int) -> Section:
    """The meetings the tenant held, with protocols (app/records/meeting.py), by kind, and
    how many were present: the year and the year before."""
    from sqlalchemy.orm import selectinload

    from app.records.meeting import Meeting, MeetingKind

    def figures(y):
        people = (selectinload(Meeting.chair), selectinload(Meeting.secretary), selectinload(Meeting.attendees))
        held = session.scalars(select(Meeting).options(*people).where(
            Meeting.tenant_id == tenant_id, Meeting.held_on.between(datetime.date(y, 1, 1), datetime.date(y, 12, 31))))
        kinds, present = dict.fromkeys(MeetingKind, 0), 0
        for meeting in held:
            kinds[meeting.kind] += 1
            present += meeting.headcount()
        return kinds, present

    (now, present_now), (before, present_before) = figures(year), figures(year - 1)
    return Section(_("Meetings and seminars with protocols"), [
        Line(_("Meetings and seminars"), sum(now.values()), sum(before.values())),
        *(Line(str(kind.value), now[kind], before[kind], 1) for kind in MeetingKind),
        Line(_("People present"), present_now, present_before, 1),
    ])


class MethodReportView(BaseView):
    """The page and workbook; readable by whoever reads the methodological work."""

    route_base = "/method-report"
    method_permission_name = {"report": "show", "report_xlsx": "show"}
    base_permissions = ["can_show"]  # granted with the records it reads (app.security.roles)
    menu = "Methodological report"
    menu_label = lazy_gettext("Report of the year")
    icon = "fa-table"

    @expose("/")
    @expose("/<int:pk>")
    @has_access
    def report(self, pk=None):
        year = _year()
        if pk is None and current_scope(db.session).node_id is None:  # Admin: choose whose
            regions = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.name)).all()
            return self.render_template("reports/method_work.html", node=None, year=year, units=regions,
                                        page_frame=None)
        node = _node(pk)
        sections = method_report(db.session, node, year)
        title = f"{node.name}: {_('Methodological work in %(year)d', year=year)}"
        self.update_redirect()
        return self.render_template(
            "reports/method_work.html", title=title, node=node, year=year, sections=sections, number=format_number,
            meetings=meetings_section(db.session, node.id, year),
            years=_years(node),
            xlsx=url_for(".report_xlsx", pk=node.id, year=year),
            units=sorted(node.children, key=lambda t: t.name),  # a region's districts, each with its report
            up=node.parent if node.parent_id in current_scope(db.session).visible or
            current_scope(db.session).unrestricted else None,
            page_frame=page_frame(title, format_day(datetime.date.today())))

    @expose("/xlsx")
    @expose("/<int:pk>/xlsx")
    @has_access
    def report_xlsx(self, pk=None):
        node, year = _node(pk), _year()
        title = f"{node.name}: {_('Methodological work in %(year)d', year=year)}"
        rows = [[Styled(title, bold=True)],
                [Styled(h, bold=True) for h in ("", str(year), str(year - 1), _("Change"))]]
        for section in [*method_report(db.session, node, year), meetings_section(db.session, node.id, year)]:
            rows.append([Styled(section.title, bold=True)])
            rows += [[("    " * line.level) + line.label, line.this_year, line.last_year, line.change]
                     for line in section.lines]
        sheet = Sheet(_("Methodological work"), rows, widths=(48, 12, 12, 12), frozen="B3")
        return attachment(xlsx_chunks([sheet], str(get_locale())), f"method-work-{node.id}-{year}.xlsx", XLSX)


def _years(node) -> range:
    """The years the tenant recorded work in, up to this one (newest first)."""
    from app.records.method_activity import MethodActivity

    this = datetime.date.today().year
    first = db.session.scalar(select(func.min(MethodActivity.held_on)).where(MethodActivity.tenant_id == node.id))
    return range(this, min(first.year if first else this, this - 1) - 1, -1)


def _year() -> int:
    return asked_year(datetime.date.today().year)
def _node(pk) -> Tenant:
    """The district or region reported on: the user's own when none is named (Admin must
    name one); one outside the user's subtree is as missing as an unknown one."""
    scope = current_scope(db.session)
    pk = pk if pk is not None else scope.node_id
    node = db.session.get(Tenant, pk) if pk is not None else None
    if node is None or not (scope.unrestricted or pk in scope.visible):
        abort(404)
    return node
