"""The month's plan of events (план мероприятий на месяц): a district's events of one
month, day by day, as it is printed and sent on; a region's month, district by district.

/event-plan/[<id>][?month=2026-11][&library=<id>]   the page (the user's own district or region)
The events shown are those the user reads (the session rule): branch staff see their own
library's. A tenant outside the user's scope answers 404, like a missing one.
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from itertools import groupby

from flask import abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import format_date, gettext as _, lazy_gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.i18n import format_day, format_number
from app.models import Library, Tenant
from app.tenancy.session import current_scope

from .method_work import _node
from .printing import page_frame

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def _month() -> datetime.date:
    """The first day of the month asked for (this one by default), or a 400 that says how."""
    from app.errors import BadInput

    text = request.args.get("month", "").strip()
    if not text:
        return datetime.date.today().replace(day=1)
    found = MONTH.fullmatch(text)
    if not found or not 1900 <= int(found[1]) <= 2999:
        raise BadInput(_("Choose a month as year and month, such as %(month)s.",
                         month=datetime.date.today().strftime("%Y-%m")))
    return datetime.date(int(found[1]), int(found[2]), 1)


def _next(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)


def _previous(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


def month_title(first: datetime.date) -> str:
    """"ноябрь 2026", "ноември 2026": the month standing alone, in the user's language."""
    return format_date(first, "LLLL y")


class EventPlanView(BaseView):
    """The page; readable by whoever reads the events (app.security.roles)."""

    route_base = "/event-plan"
    method_permission_name = {"report": "show"}
    base_permissions = ["can_show"]
    menu = "Plan of the month"
    menu_label = lazy_gettext("Plan of the month")
    icon = "fa-calendar-check-o"

    @expose("/")
    @expose("/<int:pk>")
    @has_access
    def report(self, pk=None):
        from app.records.event import Event, EventStatus

        first = _month()
        after = _next(first)
        scope = current_scope(db.session)
        if pk is None and scope.node_id is None:  # Admin: choose whose
            regions = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.name)).all()
            return self.render_template("reports/event_plan.html", node=None, units=regions, month=first,
                                        month_title=month_title(first), page_frame=None)
        node = _node(pk)
        library = self._library(node)
        in_month = [Event.held_on >= first, Event.held_on < after]
        title = f"{node.name}: {_('Plan of events for %(month)s', month=month_title(first))}"
        common = dict(
            title=title, node=node, month=first, month_title=month_title(first),
            previous=_previous(first), following=_next(first), number=format_number, day=format_day,
            up=node.parent if scope.unrestricted or node.parent_id in scope.visible else None,
            page_frame=page_frame(title, format_day(datetime.date.today())), statuses=EventStatus,
            summary_text=summary_text)
        self.update_redirect()
        if node.children:  # a region: its districts' months, and its own libraries' events
            districts = sorted(node.children, key=lambda t: t.name)
            counts = {t.id: Counter() for t in districts}
            stmt = (select(Event.tenant_id, Event.status, func.count(), func.sum(Event.attendance))
                    .where(Event.tenant_id.in_([t.id for t in districts]), *in_month)
                    .group_by(Event.tenant_id, Event.status))
            for tenant_id, status, n, attendance in db.session.execute(stmt):
                counts[tenant_id].update({status.name: n, "events": n, "attendance": attendance or 0})
            total = sum(counts.values(), Counter())
            own = self._events(Event, [Event.tenant_id == node.id, *in_month])
            return self.render_template("reports/event_plan.html", units=districts, counts=counts, total=total,
                                        days=_by_day(own), summary=_summary(own), library=None, libraries=[],
                                        **common)
        where = [Event.tenant_id == node.id, *in_month]
        if library is not None:
            where.append(Event.library_id == library.id)
        events = self._events(Event, where)
        libraries = db.session.scalars(select(Library).where(Library.tenant_id == node.id).order_by(Library.name)).all()
        can_add = self.appbuilder.sm.has_access("can_add", "EventView")
        return self.render_template("reports/event_plan.html", units=None, days=_by_day(events),
                                    summary=_summary(events), library=library,
                                    libraries=libraries if len(libraries) > 1 else [], can_add=can_add, **common)

    @staticmethod
    def _events(Event, where):
        return db.session.scalars(
            select(Event).options(joinedload(Event.library)).where(*where)
            .order_by(Event.held_on, Event.starts_at.is_(None), Event.starts_at, Event.title)).all()

    @staticmethod
    def _library(node):
        """The library the page is narrowed to, if any: one the user does not read, or of
        another district, is as missing as an unknown one."""
        text = request.args.get("library", "").strip()
        if not text:
            return None
        library = db.session.get(Library, int(text)) if text.isascii() and text.isdigit() and len(text) < 10 else None
        if library is None or library.tenant_id != node.id:
            abort(404)
        return library


def _by_day(events) -> list[tuple[datetime.date, list]]:
    return [(day, list(rows)) for day, rows in groupby(events, key=lambda e: e.held_on)]


# The summary's words for each status, as a count of several events reads.
SUMMARY = {"planned": lazy_gettext("planned: %(count)s"), "held": lazy_gettext("held: %(count)s"),
           "cancelled": lazy_gettext("cancelled: %(count)s")}


def summary_text(counts: Counter) -> str:
    """"5 мероприятий: запланировано: 3, проведено: 2; посетителей: 75"."""
    text = ngettext("%(num)d event", "%(num)d events", counts["events"])
    parts = [str(words) % {"count": format_number(counts[status])} for status, words in SUMMARY.items()
             if counts[status]]
    if parts:
        text += " (" + ", ".join(parts) + ")"
    if counts["attendance"]:
        text += "; " + _("attendance: %(count)s", count=format_number(counts["attendance"]))
    return text


def _summary(events) -> Counter:
    counts = Counter(e.status.name for e in events)
    counts["events"] = len(events)
    counts["attendance"] = sum(e.attendance or 0 for e in events)
    return counts
