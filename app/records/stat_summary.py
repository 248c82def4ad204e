"""A district's statistical summary of a year, as it goes to the region: one per district
and year, with the history of its steps.

Its figures are computed from the district's approved library reports, never typed
(app/statistics/summary.py); they are kept as they were when the district submitted it
(`values`: edition code -> {"reports": n, "values": {code: sum}, "missing": {code: n}}),
so that what the region approved does not move when a library's report is later
reopened. The region's consolidated figures are the sum of its districts' approved
summaries (app/reports/stat_summary.py). The workflow's rules are in
app/statistics/workflow.py; its steps are taken on the summary page and through the REST API
(app/api/stat_reports.py), both by app.reports.stat_summary.take_step.
"""
from flask_appbuilder import Model
from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import (
    JSON, CheckConstraint, Column, DateTime, ForeignKeyConstraint, Index, Integer, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.i18n import format_moment
from app.models import choice
from app.records.stat_report import StatReportStatus, StepHistoryView
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import TenantOwned
from app.views.base import RecordView

from . import RecordType, declare


class StatSummary(TenantOwned, Model):
    __tablename__ = "stat_summary"
    __search_column__ = "year"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", name="uq_stat_summary_year"),
        UniqueConstraint("tenant_id", "id", name="uq_stat_summary_tenant_id"),  # what its steps refer to
        CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_stat_summary_year"),
    )
    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    status = choice(StatReportStatus, "ck_stat_summary_status", nullable=False, default=StatReportStatus.draft)
    # The figures as submitted: edition code -> {"reports", "values", "missing"}.
    values = Column(JSON, nullable=False, default=dict)
    steps = relationship("StatSummaryStep", back_populates="summary", cascade="all, delete-orphan",
                         order_by="StatSummaryStep.id", overlaps="tenant")

    def __str__(self):
        return gettext("Statistical summary %(year)s, %(district)s", year=self.year, district=self.tenant)


class StatSummaryStep(TenantOwned, Model):
    """A step of a summary's history: who took it, when, from which status to which, and why."""

    __tablename__ = "stat_summary_step"
    __search_column__ = "comment"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "summary_id"], ["stat_summary.tenant_id", "stat_summary.id"],
                             name="fk_stat_summary_step_summary", ondelete="CASCADE"),
        Index("ix_stat_summary_step_tenant_summary", "tenant_id", "summary_id"),
    )
    id = Column(Integer, primary_key=True)
    # Its tenant is its summary's (both relations write tenant_id, always the same).
    tenant = relationship("Tenant", overlaps="steps,summary")
    summary_id = Column(Integer, nullable=False)
    summary = relationship("StatSummary", foreign_keys="[StatSummaryStep.tenant_id, StatSummaryStep.summary_id]",
                           back_populates="steps", overlaps="tenant")
    at = Column(DateTime, nullable=False)  # UTC
    user_id = Column(Integer)  # a plain id, like the audit trail's, which outlives the account
    from_status = choice(StatReportStatus, "ck_stat_summary_step_from")
    to_status = choice(StatReportStatus, "ck_stat_summary_step_to", nullable=False)
    comment = Column(Text)

    def __str__(self):
        return f"{format_moment(self.at)} {self.to_status}"


LABELS = {"year": lazy_gettext("Year"), "tenant": lazy_gettext("District")}
STEP_LABELS = {
    "summary": lazy_gettext("District summary"), "at": lazy_gettext("When"), "user_id": lazy_gettext("Who"),
    "from_status": lazy_gettext("From"), "to_status": lazy_gettext("To"), "comment": lazy_gettext("Comment"),
}


class StatSummaryRecordView(RecordView):
    """The districts' summaries as a list; written by the workflow only (the summary page)."""

    model = StatSummary
    base_permissions = ["can_list", "can_show"]
    list_title, show_title = lazy_gettext("District summaries"), lazy_gettext("District summary")
    list_columns = ["year", "tenant", "status"]
    show_columns = ["tenant", "year", "status"]
    add_columns = edit_columns = ["year"]
    search_columns = ["tenant", "year", "status"]
    order_columns = ["year", "status"]
    base_order = ("year", "desc")
    formatters_columns = {"status": lambda status: status}


class StatSummaryStepView(StepHistoryView):
    model, of = StatSummaryStep, "summary"
    list_title, show_title = lazy_gettext("Summary history"), lazy_gettext("Summary step")


def demo_summaries(tenants: dict, libraries: dict) -> None:
    """The demo's district summaries (app/demo_data/stat_reports.py), after its reports."""
    from app.demo_data.stat_reports import SUMMARIES
    from app.extensions import db
    from app.statistics import workflow

    for data in SUMMARIES:
        district = tenants.get(data["tenant"])
        if district is None or workflow.summary_of(district, data["year"]) is not None:
            continue
        summary = workflow.summary_of(district, data["year"], create=True)
        db.session.flush()
        for name, comment in data["steps"]:
            if name == "submit":
                missing = workflow.missing_libraries(district.id, data["year"])
                if missing:  # a demo summary is submitted as a district could
                    raise ValueError(f"demo summary {data['tenant']} {data['year']}: {[m.name for m in missing]}")
                summary.values = workflow.snapshot(district.id, data["year"])
            workflow.move(summary, workflow.SUMMARY_STEPS[name], None, comment)
        db.session.flush()


READERS = {DIRECTOR: "r", METHODOLOGIST: "r", BRANCH: "r", VIEWER: "r"}
declare(RecordType(
    "stat_summary", StatSummaryRecordView, None, "District summaries", lazy_gettext("District summaries"),
    lazy_gettext("District summary"), "fa-calculator", READERS,
    count=lambda n: ngettext("%(num)d district summary", "%(num)d district summaries", n),
    labels=LABELS, demo=demo_summaries, category="Work", order=43,
))
declare(RecordType(
    "stat_summary_step", StatSummaryStepView, None, "Summary history", lazy_gettext("Summary history"),
    lazy_gettext("Summary step"), "fa-history", READERS,
    count=lambda n: ngettext("%(num)d summary step", "%(num)d summary steps", n),
    labels=STEP_LABELS, listed_on=("stat_summary",), category="Work", order=44,
))
