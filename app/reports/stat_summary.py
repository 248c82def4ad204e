"""The statistical summary of a district or a region for one year: which of its libraries
have reported and how far each report has gone, and the form's figures summed over the
approved reports, beside the year before. Computed, never typed (app/statistics/summary.py).

/stat-summary/[<id>][?year=2025]    the page (the user's own district or region)
/stat-summary/[<id>]/xlsx           the same as a workbook
/stat-summary/<id>/step?year=       POST: a step of the district's summary (submit, return,
                                    approve, reopen: app/statistics/workflow.py); the REST
                                    API's steps (app/api/stat_reports.py) take the same path
A tenant outside the user's scope answers 404, like a missing one.

A district's page shows its summary's status, history and the steps the user may take. A
region's figures are the sum of its districts' approved summaries, as each was submitted,
and of the approved reports of the region's own libraries, if it has any.
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale, gettext as _, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.i18n import format_day, format_moment, format_number
from app.choices import LibraryStatus
from app.models import Library, Tenant
from app.records.stat_deadline import due_on
from app.statistics.forms import edition as edition_named
from app.statistics import workflow
from app.statistics.ratios import districts_sheets, districts_table
from app.statistics.summary import change, combine, consolidate
from app.tenancy.session import NotPermitted, assert_writable, current_scope
from app.versions import Stale

from .files import XLSX, Sheet, Styled, attachment, xlsx_chunks
from .method_work import _node
from .printing import page_frame

NOT_STARTED = "none"  # a library without a report of the year
HANDED_IN = ("submitted", "approved")


def _year() -> int:
    """The year asked for; by default the last one, which is the one being reported."""
    from app.errors import BadInput
    from flask import request

    text = request.args.get("year", "").strip()
    if not text:
        return datetime.date.today().year - 1
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise BadInput(_("Choose a reporting year, such as %(year)d.", year=datetime.date.today().year - 1))
    return int(text)


def _reports(tenant_ids, year):
    from app.records.stat_report import StatReport

    return db.session.scalars(select(StatReport).where(StatReport.tenant_id.in_(tenant_ids),
                                                       StatReport.year == year)).all()


def _approved(reports) -> dict[str, list[dict]]:
    """edition code -> the values of the approved reports filled in it."""
    out = defaultdict(list)
    for report in reports:
        if report.status.name == "approved":
            out[report.edition].append(report.values or {})
    return out


def summary(node: Tenant, year: int) -> dict:
    """What the page shows of `node` in `year`."""
    tenants = [node, *sorted(node.children, key=lambda t: t.name)]
    ids = [t.id for t in tenants]
    libraries = db.session.scalars(select(Library).where(
        Library.tenant_id.in_(ids), Library.status == LibraryStatus.active).order_by(Library.name)).all()
    now, before = _reports(ids, year), _reports(ids, year - 1)
    by_library = {r.library_id: r for r in now}
    counts = Counter(by_library[lib.id].status.name if lib.id in by_library else NOT_STARTED
                     for lib in libraries)
    today = datetime.date.today()
    due = {t.id: due_on(db.session, t, year, "libraries") for t in tenants}

    def status(lib):
        return by_library[lib.id].status.name if lib.id in by_library else NOT_STARTED

    def late(lib):  # not yet handed in after its district's date
        return due[lib.tenant_id] is not None and today > due[lib.tenant_id] and status(lib) not in HANDED_IN

    rows = []
    if node.children:  # a region: a row per district (and its own libraries)
        for tenant in tenants:
            own = [lib for lib in libraries if lib.tenant_id == tenant.id]
            if not own:
                continue
            rows.append({"name": tenant.name, "libraries": len(own), "counts": Counter(map(status, own)),
                         "late": sum(map(late, own)), "due": due[tenant.id],
                         "opens": tenant.id if tenant.id != node.id else None})
    else:  # a district: a row per library
        for lib in libraries:
            rows.append({"name": lib.name, "report": by_library.get(lib.id), "status": status(lib), "late": late(lib)})
    if node.children:  # a region: its districts' approved summaries and its own libraries' reports
        district_ids = [t.id for t in tenants if t.id != node.id]
        summaries = _summaries(district_ids, year)
        this_sums = _region_figures(node, _reports([node.id], year), summaries)
        before_sums = _region_figures(node, _reports([node.id], year - 1), _summaries(district_ids, year - 1))
    else:
        summaries = {}
        this_sums = {code: consolidate(edition_named(code), values) for code, values in _approved(now).items()}
        before_sums = {code: consolidate(edition_named(code), values)
                       for code, values in _approved(before).items()}
    tables = []
    for code, this in sorted(this_sums.items()):
        edition = this.edition
        last = before_sums.get(code)
        sections = []
        for section in edition.sections:
            lines = []
            for indicator in section.indicators:
                value = this.value(indicator.code)
                previous = last.value(indicator.code) if last else None
                lines.append({"indicator": indicator, "value": value, "before": previous,
                              "change": change(value, previous), "missing": this.missing[indicator.code]})
            sections.append({"title": section.title, "code": section.code, "lines": lines})
        tables.append({"edition": edition, "reports": this.reports, "sections": sections})
    return {"rows": rows, "counts": counts, "libraries": len(libraries), "tables": tables,
            "due": due[node.id], "late": sum(map(late, libraries)),
            "summary_due": due_on(db.session, node, year, "districts") if node.kind.name == "district" else None,
            **_districts(node, tenants, year, summaries, today)}


# -- the districts' summaries --------------------------------------------------------------

def _summaries(district_ids, year) -> dict:
    """district id -> its summary of `year`, where it has one."""
    from app.records.stat_summary import StatSummary

    return {s.tenant_id: s for s in db.session.scalars(select(StatSummary).where(
        StatSummary.tenant_id.in_(district_ids), StatSummary.year == year))}


def _region_figures(node, own_reports, summaries) -> dict:
    """edition code -> the region's figures: its districts' approved summaries as kept,
    and its own libraries' approved reports."""
    parts = defaultdict(list)
    for found in summaries.values():
        if found.status.name == "approved":
            for code, kept in (found.values or {}).items():
                parts[code].append(kept)
    for code, values in _approved(own_reports).items():
        parts[code].append(consolidate(edition_named(code), values))
    return {code: combine(edition_named(code), found) for code, found in parts.items()}


def _districts(node, tenants, year, summaries, today) -> dict:
    """What the page shows of the districts' summaries: a region's, one row per district;
    a district's own (its status, history and, on the page, its steps)."""
    if node.kind.name == "district":
        own = summaries.get(node.id) or workflow.summary_of(node, year)
        return {"district_summary": own, "not_approved": workflow.missing_libraries(node.id, year)}
    rows = []
    for tenant in tenants:
        if tenant.id == node.id:
            continue
        found = summaries.get(tenant.id)
        status = found.status.name if found is not None else "draft"
        due = due_on(db.session, tenant, year, "districts")
        rows.append({"tenant": tenant, "summary": found, "status": status, "due": due,
                     "late": due is not None and today > due and status not in HANDED_IN})
    own = [r for r in _reports([node.id], year) if r.status.name == "approved"]
    return {"district_rows": rows, "included": sum(r["status"] == "approved" for r in rows),
            "own_included": len(own)}


def history(found) -> list[dict]:
    """A summary's steps as the page lists them: when, who, from, to, comment."""
    from app.records.stat_report import _user_name

    return [{"at": format_moment(s.at), "who": _user_name(s.user_id), "from": s.from_status,
             "to": s.to_status, "comment": s.comment} for s in (found.steps if found is not None else ())]


def _unsaved(node, year):
    """A district's summary not yet started, for the buttons it would offer (not added)."""
    from app.records.stat_report import StatReportStatus
    from app.records.stat_summary import StatSummary

    return StatSummary(tenant_id=node.id, tenant=node, year=year, status=StatReportStatus.draft)


def take_step(node: Tenant, year: int, name: str, user, comment: str | None = None, version: int | None = None):
    """Step `name` of the district's summary of `year` as `user`, committed: the page's and
    the API's one way of taking it. A summary not yet started is made as a draft by its
    first submission. A tenant that is no district is as missing as an unknown one
    (NotFound); a step refused (workflow.Refused, NotPermitted) or started from another
    version than the stored one (StaleDataError) is rolled back and raised again.
    Returns the step taken."""
    if node.kind.name != "district":
        raise NotFound()
    try:
        # Made (as a draft) only by a submission the user may make: none else writes.
        may_start = name == "submit" and workflow.allowed(
            workflow.SUMMARY_STEPS["submit"], workflow.role_names(user), user, _unsaved(node, year))
        found = workflow.summary_of(node, year, create=may_start, user=user)
        if found is None:
            raise workflow.Refused(
                _("The district has not submitted its summary of %(year)d.", year=year) if name != "submit"
                else _("Your role does not allow this step."))
        if version is not None and version != found.version:
            raise StaleDataError()
        assert_writable(db.session, found)
        step = workflow.take(found, name, user, comment)
        db.session.commit()
    except (NotPermitted, workflow.Refused, StaleDataError):
        db.session.rollback()
        raise
    return step


class StatSummaryView(BaseView):
    """The page and workbook; readable by whoever reads the statistical reports."""

    route_base = "/stat-summary"
    # A step's rights are the workflow's (role and level): whoever reads the page may ask.
    method_permission_name = {"report": "show", "report_xlsx": "show", "step": "show"}
    base_permissions = ["can_show"]
    menu = "Statistical summary"
    menu_label = lazy_gettext("Summary of the year")
    icon = "fa-calculator"

    @expose("/")
    @expose("/<int:pk>")
    @has_access
    def report(self, pk=None):
        from app.records.stat_report import StatReportStatus

        year = _year()
        scope = current_scope(db.session)
        if pk is None and scope.node_id is None:  # Admin: choose whose
            regions = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.name)).all()
            return self.render_template("reports/stat_summary.html", node=None, year=year, units=regions,
                                        page_frame=None)
        node = _node(pk)
        title = f"{node.name}: {_('Statistical summary of %(year)d', year=year)}"
        self.update_redirect()
        found = summary(node, year)
        own = found.get("district_summary")
        steps = workflow.available(own if own is not None else _unsaved(node, year),
                                   workflow.role_names(g.user), g.user)
        return self.render_template(
            "reports/stat_summary.html", title=title, node=node, year=year, number=format_number,
            statuses=StatReportStatus, not_started=NOT_STARTED, day=format_day, **found,
            summary_steps=steps if node.kind.name == "district" else [], summary_history=history(own),
            districts=districts_table(node, year),  # a region's districts on the key figures
            years=range(datetime.date.today().year, datetime.date.today().year - 6, -1),
            xlsx=url_for(".report_xlsx", pk=node.id, year=year),
            up=node.parent if node.parent_id in scope.visible or scope.unrestricted else None,
            page_frame=page_frame(title, format_day(datetime.date.today())))

    @expose("/<int:pk>/step", methods=["POST"])
    @has_access
    def step(self, pk):
        """A step of the district's summary of `year`, from its page."""
        node, year = _node(pk), _year()
        page = url_for(".report", pk=node.id, year=year)
        version = request.form.get("version", "")
        try:
            step = take_step(node, year, request.form.get("step", ""), g.user, request.form.get("comment"),
                                int(version) if version.isdigit() else None)
        except (NotPermitted, workflow.Refused) as refusal:
            flash(str(refusal), "danger")
            return redirect(page)
        except StaleDataError:
            flash(str(Stale()), "warning")
            return redirect(page)
        flash(_("Done: “%(step)s”.", step=step.label), "success")
        return redirect(page)

    @expose("/xlsx")
    @expose("/<int:pk>/xlsx")
    @has_access
    def report_xlsx(self, pk=None):
        node, year = _node(pk), _year()
        found = summary(node, year)
        title = f"{node.name}: {_('Statistical summary of %(year)d', year=year)}"
        sheets = []
        for table in found["tables"]:
            edition = table["edition"]
            rows = [[Styled(title, bold=True)], [f"{edition.form} — {edition.title}"],
                    [Styled(h, bold=True) for h in (_("Indicator"), _("Line"), _("Column"), str(year),
                                                    str(year - 1), _("Change, %(unit)s", unit="%"), _("Reports without it"))]]
            for section in table["sections"]:
                rows.append([Styled(f"{section['code']}. {section['title']}", bold=True)])
                rows += [[line["indicator"].label, line["indicator"].line or "", line["indicator"].column or "",
                          line["value"], line["before"], line["change"], line["missing"] or None]
                         for line in section["lines"]]
            sheets.append(Sheet(edition.form[:31], rows, widths=(60, 8, 8, 14, 14, 12, 12), frozen="D4"))
        if not sheets:
            sheets.append(Sheet(_("Summary"), [[Styled(title, bold=True)],
                                               [_("No report of this year is approved yet.")]], widths=(60,)))
        sheets += districts_sheets(node, year)  # a region's districts on the key figures
        return attachment(xlsx_chunks(sheets, str(get_locale())), f"stat-summary-{node.id}-{year}.xlsx", XLSX)
