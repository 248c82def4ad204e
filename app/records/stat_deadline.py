"""The deadlines of a year's statistics: by when the libraries' reports are due at their
district, and the districts' summaries at their region.

A region sets both for its whole subtree; a district may set its own, earlier or later,
date for its libraries, which then counts for them. A report not yet submitted after its
date is late: the summary and the dashboard say so (app/reports/stat_summary.py).
"""
from __future__ import annotations

import datetime

from flask_appbuilder import Model
from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import CheckConstraint, Column, Date, Integer, Text, UniqueConstraint, select

from app.api.base import RecordApi
from app.choices import Choice, TenantKind, _l
from app.models import choice
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import TenantOwned
from app.views.base import RecordView

from . import RecordType, declare


class DeadlineLevel(Choice):
    libraries = _l("Libraries' reports, to the district")
    districts = _l("Districts' summaries, to the region")


class StatDeadline(TenantOwned, Model):
    __tablename__ = "stat_deadline"
    __readable_from_ancestors__ = True  # a district reads the dates its region set
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "level", name="uq_stat_deadline_year_level"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_stat_deadline_year"),
    )
    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)  # the year reported on
    level = choice(DeadlineLevel, nullable=False)
    due_on = Column(Date, nullable=False)
    note = Column(Text)

    def __str__(self):
        return f"{self.year}: {self.level}"

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """A district sets the date of its libraries' reports only: its own summary's
        date is its region's to set."""
        tenant, level = values.get("tenant"), values.get("level")
        level = getattr(level, "name", level)
        found = {}
        if tenant is not None and tenant.kind is TenantKind.district and level == DeadlineLevel.districts.name:
            found["level"] = gettext("The date of a district's summary is set by its region.")
        year, due = values.get("year"), values.get("due_on")
        if isinstance(year, int) and isinstance(due, datetime.date) and due.year <= year:
            found["due_on"] = gettext("A year's figures are due after the year has ended.")
        return found


def due_on(session, tenant, year: int, level: str) -> datetime.date | None:
    """The date `tenant`'s reports of `level` are due for `year`: its own deadline, else the
    one its region set (read through the session's scope)."""
    rows = dict(session.execute(select(StatDeadline.tenant_id, StatDeadline.due_on).where(
        StatDeadline.tenant_id.in_([t for t in (tenant.id, tenant.parent_id) if t is not None]),
        StatDeadline.year == year, StatDeadline.level == DeadlineLevel[level])).all())
    return rows.get(tenant.id) or rows.get(tenant.parent_id)


def due_dates(session, tenants, year: int, level: str) -> dict[int, datetime.date | None]:
    """`due_on` of many tenants in one query: tenant id -> date or None."""
    ids = {t.id for t in tenants} | {t.parent_id for t in tenants if t.parent_id is not None}
    rows = dict(session.execute(select(StatDeadline.tenant_id, StatDeadline.due_on).where(
        StatDeadline.tenant_id.in_(ids), StatDeadline.year == year, StatDeadline.level == DeadlineLevel[level])).all())
    return {t.id: rows.get(t.id) or rows.get(t.parent_id) for t in tenants}


COLUMNS = ["tenant", "year", "level", "due_on", "note"]
LABELS = {"level": lazy_gettext("What is due"), "due_on": lazy_gettext("Due on"), "year": lazy_gettext("Year")}


class StatDeadlineView(RecordView):
    model = StatDeadline
    list_title, show_title = lazy_gettext("Statistics deadlines"), lazy_gettext("Statistics deadline")
    add_title, edit_title = lazy_gettext("Add a deadline"), lazy_gettext("Change a deadline")
    list_columns = ["year", "level", "due_on", "tenant", "note"]
    search_columns = ["year", "level", "tenant"]
    add_columns = edit_columns = show_columns = COLUMNS
    order_columns = ["year", "due_on"]
    base_order = ("year", "desc")
    description_columns = {"year": lazy_gettext("The year the figures are for: 2025 for the reports made in 2026.")}


class StatDeadlineApi(RecordApi):
    model, resource_name = StatDeadline, "stat_deadline"
    add_columns = edit_columns = COLUMNS
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", "year", "level", "due_on", "note"]
    order_columns = ["year", "due_on"]


def demo_deadlines(tenants: dict, libraries: dict) -> None:
    """The dates the demo's regions set for last year's figures, and one district's own,
    earlier date for its libraries."""
    from app.extensions import db

    year = datetime.date.today().year - 1
    due = {("ORL", "libraries"): (1, 20), ("ORL", "districts"): (2, 5),
           ("SZR", "libraries"): (1, 31), ("SZR", "districts"): (2, 15), ("SZR-MGL", "libraries"): (1, 25)}
    for (code, level), (month, day) in due.items():
        tenant = tenants.get(code)
        if tenant is None or db.session.scalar(select(StatDeadline.id).filter_by(
                tenant_id=tenant.id, year=year, level=DeadlineLevel[level])):
            continue
        db.session.add(StatDeadline(tenant=tenant, year=year, level=DeadlineLevel[level],
                                    due_on=datetime.date(year + 1, month, day)))
    db.session.flush()


declare(RecordType(
    "stat_deadline", StatDeadlineView, StatDeadlineApi, "Statistics deadlines", lazy_gettext("Deadlines"),
    lazy_gettext("Statistics deadline"), "fa-clock-o",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "r", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d deadline", "%(num)d deadlines", n),
    labels=LABELS, demo=demo_deadlines, natural_key=("tenant", "year", "level"), category="Work", order=42,
))
