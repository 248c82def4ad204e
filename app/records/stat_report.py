"""The annual statistical report of a library (form 6-НК in Russia, the annual return in
Bulgaria): one per library and year, filled in the form edition of its tenant's country
(app/statistics), checked, submitted and approved by the district, with the history of
its steps.

The figures are one JSON object per report, indicator code -> number or "unknown" (a code
left out was left empty): a report is read and written whole, and an edition's indicators
are data, not columns. Its notes are another, code -> text. The workflow's rules are in
app/statistics/workflow.py; the entry screen's reading of figures in app/statistics/entry.py.
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import Model, expose, has_access
from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import (
    JSON, CheckConstraint, Column, DateTime, ForeignKeyConstraint, Index, Integer, String, Text,
    UniqueConstraint, select,
)
from sqlalchemy.orm import relationship
from sqlalchemy.orm.exc import StaleDataError

from app.api.stat_reports import StatReportApi
from app.choices import Choice, _l
from app.extensions import db
from app.i18n import format_moment
from app.imports.stat_reports import StatReports
from app.models import choice
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.reports.stat_summary import StatSummaryView
from app.statistics import checks, entry, workflow
from app.statistics.forms import edition as edition_named
from app.statistics.prefill import suggestions
from app.tenancy import LibraryOwned
from app.tenancy.session import NotPermitted, assert_writable
from app.versions import Stale
from app.views.base import RecordView

from . import RecordType, declare


class StatReportStatus(Choice):
    draft = _l("Draft")
    submitted = _l("Submitted")
    returned = _l("Returned for correction")
    approved = _l("Approved")


class StatReport(LibraryOwned, Model):
    __tablename__ = "stat_report"
    __search_column__ = "edition"  # what a field choosing a report searches (it has no name)
    __table_extra__ = (
        UniqueConstraint("tenant_id", "library_id", "year", name="uq_stat_report_library_year"),
        UniqueConstraint("tenant_id", "id", name="uq_stat_report_tenant_id"),  # what its steps refer to
        Index("ix_stat_report_tenant_year", "tenant_id", "year", "status"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_stat_report_year"),
    )
    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    # The edition it is filled in (app/statistics/forms): chosen when it is made, kept after.
    edition = Column(String(40), nullable=False)
    status = choice(StatReportStatus, nullable=False, default=StatReportStatus.draft)
    values = Column(JSON, nullable=False, default=dict)  # code -> number or "unknown"
    notes = Column(JSON, nullable=False, default=dict)  # code -> text
    # Its history: parts of it, deleted with it.
    steps = relationship("StatReportStep", back_populates="report", cascade="all, delete-orphan",
                         order_by="StatReportStep.id", overlaps="library")

    def __str__(self):
        return gettext("Statistical report %(year)s, %(library)s", year=self.year, library=self.library)

    @property
    def form(self):
        return edition_named(self.edition)

    def previous(self):
        """The same library's report of the year before, if there is one (and it is visible)."""
        return db.session.scalar(select(StatReport).where(
            StatReport.tenant_id == self.tenant_id, StatReport.library_id == self.library_id,
            StatReport.year == self.year - 1))

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """A report is made only for a year its country has a form edition for."""
        library, year = values.get("library"), values.get("year")
        if library is not None and isinstance(year, int) and "edition" not in values \
                and workflow.edition_for_library(library, year) is None:
            return {"year": gettext("There is no statistical form for this year in the library's country.")}
        return {}


class StatReportStep(LibraryOwned, Model):
    """A step of a report's history: who took it, when, from which status to which, and why."""

    __tablename__ = "stat_report_step"
    __search_column__ = "comment"
    __table_extra__ = (
        ForeignKeyConstraint(["tenant_id", "report_id"], ["stat_report.tenant_id", "stat_report.id"],
                             name="fk_stat_report_step_report", ondelete="CASCADE"),
        Index("ix_stat_report_step_tenant_report", "tenant_id", "report_id"),
    )
    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, nullable=False)
    report = relationship("StatReport", foreign_keys="[StatReportStep.tenant_id, StatReportStep.report_id]",
                          back_populates="steps", overlaps="library")
    at = Column(DateTime, nullable=False)  # UTC
    # Who: a plain id, like the audit trail's, which outlives the account it names.
    user_id = Column(Integer)
    from_status = choice(StatReportStatus, "ck_stat_report_step_from")  # none: the report was made
    to_status = choice(StatReportStatus, "ck_stat_report_step_to", nullable=False)
    comment = Column(Text)

    def __str__(self):
        return f"{format_moment(self.at)} {self.to_status}"


LABELS = {"edition": lazy_gettext("Form"), "year": lazy_gettext("Year")}
STEP_LABELS = {
    "report": lazy_gettext("Statistical report"), "at": lazy_gettext("When"), "user_id": lazy_gettext("Who"),
    "from_status": lazy_gettext("From"), "to_status": lazy_gettext("To"), "comment": lazy_gettext("Comment"),
}


def _edition_title(code) -> str:
    try:
        found = edition_named(code)
    except LookupError:
        return code or ""
    return f"{found.form} — {found.title}"


def _user_name(user_id) -> str:
    """Who took a step, by name (an account removed since: nobody named)."""
    from flask_appbuilder.security.sqla.models import User

    user = db.session.get(User, user_id) if user_id is not None else None
    return f"{user.first_name} {user.last_name}".strip() if user is not None else ""


class StatReportView(RecordView):
    model = StatReport
    list_title, show_title = lazy_gettext("Statistical reports"), lazy_gettext("Statistical report")
    add_title, edit_title = lazy_gettext("Add a statistical report"), lazy_gettext("Fill in a statistical report")
    list_columns = ["year", "library", "edition", "status"]
    add_columns = ["library", "year"]
    edit_columns = ["year"]  # the figures are filled on the entry screen (edit below)
    show_columns = ["library", "year", "edition", "status"]
    search_columns = ["library", "year", "status"]
    order_columns = ["year", "status"]
    base_order = ("year", "desc")
    formatters_columns = {"edition": _edition_title}
    description_columns = {"year": lazy_gettext("The year the figures are for.")}
    show_template = "libnet/stat_report_show.html"
    method_permission_name = {**RecordView.method_permission_name, "step": "show"}

    def pre_add(self, item):
        found = workflow.edition_for_library(item.library, item.year)
        if found is None:  # the form's rules say so first (StatReport.__rules__)
            raise ValueError(gettext("There is no statistical form for this year in the library's country."))
        item.edition, item.status = found.code, StatReportStatus.draft
        # What the registry knows of the year (staff, outreach points, the events journal)
        # starts as the figures: the person filling the report checks them and may change them.
        offered = suggestions(db.session, found, item.library.id, item.year)
        item.values, item.notes = {code: s.value for code, s in offered.items()}, {}
        workflow.started(item, g.user)
        if offered:
            sources = sorted({s.source_label for s in offered.values()})
            flash(ngettext("%(num)d figure was filled in from %(sources)s: check it.",
                           "%(num)d figures were filled in from %(sources)s: check them.",
                           len(offered), sources=", ".join(sources)), "info")

    def row_rights(self, item):
        # The figures change only while the report is a draft or returned.
        rights = super().row_rights(item)
        return rights if workflow.editable(item) else rights - {"edit"}

    # -- the card and the entry screen --------------------------------------------

    def card_context(self, report, typed=None, field_errors=None) -> dict:
        """What the card and the entry screen show of a report's figures."""
        form = report.form
        last_year = workflow.last_year_values(report)
        found = workflow.problems(report, last_year)
        values = checks.computed(form, {c: workflow.number(v) for c, v in (report.values or {}).items()})
        shown_values = {c: (report.values or {}).get(c, v) for c, v in values.items()}
        shown_values = {c: v for c, v in shown_values.items() if v is not None}
        unexplained = {p.code for p in workflow.unexplained(report, found)}
        # A step's button where the user may take it: their role, and a report they may write;
        # shown disabled, with the workflow's reason, where taking it would be refused.
        steps = workflow.available(report, workflow.role_names(g.user)) if super().row_rights(report) else []
        refused = {step.name: workflow.refusal(report, step.name, g.user, found=found, asking=True)
                   for step in steps}
        return {
            "report": report, "form": form, "sections": entry.sections(form, shown_values, report.notes or {},
                                                                       last_year, found, typed),
            "problems": found, "unexplained": unexplained, "field_errors": field_errors or {},
            "has_last_year": bool(last_year),
            "steps": steps, "refused": {name: why for name, why in refused.items() if why is not None},
            # The entry screen's "Save and submit", as the saved report would fare.
            "submit_refused": refused["submit"] if "submit" in refused else
            workflow.refusal(report, "submit", g.user, found=found, asking=True) if workflow.editable(report) else None,
            "editable": workflow.editable(report), "shown": entry.shown,
        }

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """The entry screen: the report's figures section by section, saved as a draft
        whatever the checks say; "Submit" saves and then submits."""
        report = self.datamodel.get(pk)
        if report is None:
            abort(404)
        show = url_for(f"{type(self).__name__}.show", pk=report.id)
        try:
            assert_writable(db.session, report)
        except NotPermitted as refusal:
            flash(str(refusal), "warning")
            return redirect(show)
        if not workflow.editable(report):
            flash(gettext("The report's status is “%(status)s”: its figures cannot be changed now.",
                          status=report.status), "warning")
            return redirect(show)
        held = workflow.held(report)  # the district's summary is with the region
        if held:
            flash(held, "warning")
            return redirect(show)
        if request.method == "GET":
            return self._entry_page(report)
        values, notes, errors = entry.read(report.form, request.form)
        version = request.form.get("version", "")
        if version.isdigit() and int(version) != report.version:
            flash(str(Stale()), "warning")
            return self._entry_page(report, typed=request.form, field_errors={}, status=409)
        if errors:
            flash(gettext("Nothing was saved: correct the fields marked below."), "danger")
            return self._entry_page(report, typed=request.form, field_errors=errors, status=422)
        report.values, report.notes = values, notes
        submitting = request.form.get("do") == "submit"
        refusal = None
        try:
            db.session.flush()
            if submitting:
                try:
                    workflow.take(report, "submit", g.user)
                except workflow.Refused as refused:
                    refusal = refused
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(str(Stale()), "warning")
            return redirect(request.url)
        if refusal is not None:
            flash(gettext("The figures were saved as a draft."), "info")
            flash(str(refusal), "danger")
            for problem in refusal.problems:
                flash(problem.message if problem.blocks else
                      gettext("%(warning)s (no note yet)", warning=problem.message), "danger")
            return redirect(request.url)
        if submitting:
            flash(gettext("The report was submitted."), "success")
            return redirect(show)
        flash(gettext("The figures were saved."), "success")
        return redirect(request.url)

    def _entry_page(self, report, typed=None, field_errors=None, status=200):
        return self.render_template("libnet/stat_report_entry.html", title=self.edit_title, pk=report.id,
                                    **self.card_context(report, typed, field_errors)), status

    @expose("/step/<pk>", methods=["POST"])
    @has_access
    def step(self, pk):
        """A step of the workflow (submit, approve, return, reopen) from the card."""
        report = self.datamodel.get(pk)
        if report is None:
            abort(404)
        show = url_for(f"{type(self).__name__}.show", pk=report.id)
        version = request.form.get("version", "")
        if version.isdigit() and int(version) != report.version:
            flash(str(Stale()), "warning")
            return redirect(show)
        try:
            assert_writable(db.session, report)
            step = workflow.take(report, request.form.get("step", ""), g.user,
                                 request.form.get("comment"))
            db.session.commit()
        except (NotPermitted, workflow.Refused) as refusal:
            db.session.rollback()
            flash(str(refusal), "danger")
            for problem in getattr(refusal, "problems", ()):
                flash(problem.message, "danger")
            return redirect(show)
        except StaleDataError:
            db.session.rollback()
            flash(str(Stale()), "warning")
            return redirect(show)
        flash(gettext("Done: “%(step)s”.", step=step.label), "success")
        return redirect(show)


class StepHistoryView(RecordView):
    """A workflow's history as a list: written by the workflow only, read, never added,
    changed or deleted on a screen. A subclass names its model and what a step is `of`."""

    of = "report"  # the relation to what the step was taken on
    base_permissions = ["can_list", "can_show"]
    list_columns = ["at", "user_id", "from_status", "to_status", "comment"]
    add_columns = edit_columns = ["comment"]
    order_columns = ["at"]
    base_order = ("at", "asc")
    formatters_columns = {"at": format_moment, "user_id": _user_name}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.show_columns = [cls.of, *cls.list_columns]
        cls.search_columns = [cls.of, "to_status"]


class StatReportStepView(StepHistoryView):
    model = StatReportStep
    list_title, show_title = lazy_gettext("Report history"), lazy_gettext("Report step")


def demo_reports(tenants: dict, libraries: dict) -> None:
    """The demo's reports (app/demo_data/stat_reports.py): 2024 and 2025, in every status."""
    from app.demo_data.stat_reports import REPORTS

    for data in REPORTS:
        library = libraries.get((data["tenant"], data["library"]))
        if library is None or db.session.scalar(select(StatReport.id).filter_by(library=library, year=data["year"])):
            continue
        found = workflow.edition_for_library(library, data["year"])
        report = StatReport(library=library, year=data["year"], edition=found.code, status=StatReportStatus.draft,
                            values=workflow.with_totals(found, data["values"]), notes=data.get("notes", {}))
        workflow.started(report, None)
        db.session.add(report)
        db.session.flush()
        if data.get("steps") and workflow.blocking(report):  # a demo report is submitted as a person could
            raise ValueError(f"demo report {data['library']} {data['year']}: "
                             f"{[p.message for p in workflow.blocking(report)]}")
        for name, comment in data.get("steps", ()):
            workflow.move(report, workflow.STEPS[name], None, comment)
        db.session.flush()


FILLERS = "rae"  # add a report and fill it (while a draft or returned: app.statistics.workflow)
declare(RecordType(
    "stat_report", StatReportView, StatReportApi, "Statistical reports", lazy_gettext("Statistical reports"),
    lazy_gettext("Statistical report"), "fa-table",
    {DIRECTOR: FILLERS, METHODOLOGIST: FILLERS, BRANCH: FILLERS, VIEWER: "r"},
    count=lambda n: ngettext("%(num)d statistical report", "%(num)d statistical reports", n),
    labels=LABELS, listed_on=("library",), demo=demo_reports, reports=(StatSummaryView,), category="Work", order=40,
    natural_key=("library", "year"), importer=StatReports,
))
declare(RecordType(
    "stat_report_step", StatReportStepView, None, "Report history", lazy_gettext("Report history"),
    lazy_gettext("Report step"), "fa-history", {DIRECTOR: "r", METHODOLOGIST: "r", BRANCH: "r", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d report step", "%(num)d report steps", n),
    labels=STEP_LABELS, listed_on=("stat_report",), category="Work", order=41,
))
