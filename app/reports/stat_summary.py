"""The statistical summary of a district or a region for one year: which of its libraries
have reported and how far each report has gone, and the form's figures summed over the
approved reports, beside the year before. Computed, never typed (app/statistics/summary.py).

/stat-summary/[<id>][?year=2025]    the page (the user's own district or region)
/stat-summary/[<id>]/xlsx           the same as a workbook
A tenant outside the user's scope answers 404, like a missing one.
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from flask import url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale, gettext as _, lazy_gettext
from sqlalchemy import select

from app.extensions import db
from app.i18n import format_day, format_number
from app.choices import LibraryStatus
from app.models import Library, Tenant
from app.records.stat_deadline import due_on
from app.statistics.forms import edition as edition_named
from app.statistics.ratios import districts_sheets, districts_table
from app.statistics.summary import change, consolidate
from app.tenancy.session import current_scope

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
    before_sums = {code: consolidate(edition_named(code), values)
                   for code, values in _approved(before).items()}
    tables = []
    for code, values in sorted(_approved(now).items()):
        edition = edition_named(code)
        this = consolidate(edition, values)
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
            "summary_due": due_on(db.session, node, year, "districts") if node.kind.name == "district" else None}


class StatSummaryView(BaseView):
    """The page and workbook; readable by whoever reads the statistical reports."""

    route_base = "/stat-summary"
    method_permission_name = {"report": "show", "report_xlsx": "show"}
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
        return self.render_template(
            "reports/stat_summary.html", title=title, node=node, year=year, number=format_number,
            statuses=StatReportStatus, not_started=NOT_STARTED, day=format_day, **summary(node, year),
            districts=districts_table(node, year),  # a region's districts on the key figures
            years=range(datetime.date.today().year, datetime.date.today().year - 6, -1),
            xlsx=url_for(".report_xlsx", pk=node.id, year=year),
            up=node.parent if node.parent_id in scope.visible or scope.unrestricted else None,
            page_frame=page_frame(title, format_day(datetime.date.today())))

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
