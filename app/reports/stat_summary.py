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
from app.records.stat_deadline import due_dates, due_on
from app.statistics.forms import edition as edition_named
from app.statistics import workflow
from app.statistics.ratios import (
    PRELIMINARY, districts_sheets, districts_table, key_figures_sheets, regions_table,
)
from app.statistics.summary import change, combine, consolidate
from app.tenancy.session import NotPermitted, assert_writable, current_scope
from app.versions import Stale

from .files import XLSX, Sheet, Styled, attachment, xlsx_chunks
from .method_work import _node
from .printing import page_frame
from .years import asked_year

NOT_STARTED = "none"  # a library without a report of the year
HANDED_IN = ("submitted", "approved")


def REPORTED_YEARS() -> range:  # noqa: N802 - reads as the constant it nearly is
    """The years the pager offers: last year, the one being reported, and five before it."""
    return range(datetime.date.today().year - 1, datetime.date.today().year - 7, -1)


FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years a summary may be kept for (ck_stat_summary_year)


def _year() -> int:
    """The year asked for; by default the last one, which is the one being reported."""
    from app.errors import BadInput

    year = asked_year(datetime.date.today().year - 1)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(_("Choose a reporting year, such as %(year)d.", year=datetime.date.today().year - 1))
    return year


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
    due = due_dates(db.session, tenants, year, "libraries")

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
    tables = _tables(this_sums, before_sums)
    return {"rows": rows, "counts": counts, "libraries": len(libraries), "tables": tables,
            "due": due[node.id], "late": sum(map(late, libraries)),
            "summary_due": due_on(db.session, node, year, "districts") if node.kind.name == "district" else None,
            **_districts(node, tenants, year, summaries, today)}


def _tables(this_sums: dict, before_sums: dict) -> list[dict]:
    """The form's figures of each edition (code -> Consolidated), beside the year before."""
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
    return tables


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
    dues = due_dates(db.session, tenants, year, "districts")
    for tenant in tenants:
        if tenant.id == node.id:
            continue
        found = summaries.get(tenant.id)
        status = found.status.name if found is not None else "draft"
        due = dues[tenant.id]
        rows.append({"tenant": tenant, "summary": found, "status": status, "due": due,
                     "late": due is not None and today > due and status not in HANDED_IN})
    own = [r for r in _reports([node.id], year) if r.status.name == "approved"]
    return {"district_rows": rows, "included": sum(r["status"] == "approved" for r in rows),
            "own_included": len(own)}


# -- the network's summary (Admin) ------------------------------------------------------------

def national(year: int) -> dict:
    """What Admin's page shows of the whole network in `year`: a row per region (its districts'
    summaries by status, the late ones) and the figures of all regions summed, each region's
    as its own page gives them (its districts' approved summaries and its own libraries'
    approved reports). A few queries whatever the network's size: the summaries' figures are
    read once, for both years, and only the approved ones."""
    from app.records.stat_report import StatReport, StatReportStatus
    from app.records.stat_summary import StatSummary

    regions = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.name)).all()
    districts = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_not(None))).all()
    region_of = {d.id: d.parent_id for d in districts}
    statuses = defaultdict(Counter)  # region id -> status -> districts
    handed_in = set()  # the districts that handed in their summary
    for tenant_id, status in db.session.execute(select(StatSummary.tenant_id, StatSummary.status).where(
            StatSummary.year == year)):
        statuses[region_of.get(tenant_id)][status.name] += 1
        if status.name in HANDED_IN:
            handed_in.add(tenant_id)
    parts = defaultdict(lambda: defaultdict(list))  # (region id, year) -> edition -> [kept or Consolidated]
    for tenant_id, one, kept_values in db.session.execute(
            select(StatSummary.tenant_id, StatSummary.year, StatSummary.values).where(
                StatSummary.year.in_((year, year - 1)), StatSummary.status == StatReportStatus.approved)):
        for code, kept_one in (kept_values or {}).items():
            parts[region_of.get(tenant_id), one][code].append(kept_one)
    own = defaultdict(list)  # the regions' own libraries' approved reports
    for tenant_id, one, code, values in db.session.execute(
            select(StatReport.tenant_id, StatReport.year, StatReport.edition, StatReport.values).where(
                StatReport.tenant_id.in_([r.id for r in regions]), StatReport.year.in_((year, year - 1)),
                StatReport.status == StatReportStatus.approved)):
        own[tenant_id, one, code].append(values or {})
    for (tenant_id, one, code), values in own.items():
        parts[tenant_id, one][code].append(consolidate(edition_named(code), values))
    figures = {key: {code: combine(edition_named(code), found) for code, found in by_code.items()}
               for key, by_code in parts.items()}

    today = datetime.date.today()
    dues = due_dates(db.session, districts, year, "districts")
    children = defaultdict(list)
    for district in districts:
        children[district.parent_id].append(district)
    late = Counter()
    for district in districts:
        due = dues[district.id]
        if due is not None and today > due and district.id not in handed_in:
            late[district.parent_id] += 1
    rows = []
    for region in regions:
        counts = statuses[region.id]
        rows.append({"region": region, "districts": len(children[region.id]), "counts": counts,
                     "not_started": len(children[region.id]) - sum(counts.values()), "late": late[region.id]})

    this_sums, before_sums = defaultdict(list), defaultdict(list)
    for (region_id, one), by_code in figures.items():
        for code, summed in by_code.items():
            (this_sums if one == year else before_sums)[code].append(summed)
    tables = _tables({code: combine(edition_named(code), found) for code, found in this_sums.items()},
                     {code: combine(edition_named(code), found) for code, found in before_sums.items()})
    included = sum(counts["approved"] for counts in statuses.values())
    return {"region_rows": rows, "tables": tables, "included": included, "total": len(districts),
            "districts": regions_table([(r, {one: figures.get((r.id, one)) for one in (year, year - 1)},
                                         [d.population for d in children[r.id]]) for r in regions], year)}


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


# -- the workbook: the form's own layout ---------------------------------------------------

def _numbered(code: str):
    """A line's or column's number sorts as a number: 2 before 10, "01" before "11"."""
    return (0, int(code), code) if code.isdigit() else (1, 0, code)


def _column_heading(section, column: str, grid: dict) -> str:
    """The form's heading of `column`; else the label of that column's indicator on the
    section's first line that has it."""
    text = section.column_title(column)
    if text:
        return str(text)
    line = min((line for line, column_ in grid if column_ == column), key=_numbered)
    return grid[line, column]["indicator"].label


def _line_name(section, line: str, grid: dict) -> str:
    """The form's name of `line`; else the label of its indicator with the lowest column."""
    text = section.line_title(line)
    if text:
        return str(text)
    column = min((column for line_, column in grid if line_ == line), key=_numbered)
    return grid[line, column]["indicator"].label


def _figure(indicator, value):
    """A sum as a spreadsheet number: a count is whole (412, not 412.00)."""
    if value is None:
        return None
    return int(value) if indicator.whole or value == value.to_integral_value() else value


def _sheet_name(section, prefix: str | None = None) -> str:
    """A sheet's name: the section's number ("Section 4"), or its title where the form does
    not number its sections; `prefix` tells the forms apart where the workbook holds two."""
    name = _("Section %(code)s", code=section["code"]) if section["code"].isdigit() else section["title"]
    return f"{prefix} {name}" if prefix else name


def _sheet_names(tables: list, taken: set) -> dict:
    """(edition code, section code) -> its sheet's name, unique among `taken` and at most
    31 characters, as the workbook will have it."""
    from app.reports.files import _sheet_title

    forms = [table["edition"].form for table in tables]
    names = {}
    for table in tables:
        edition = table["edition"]
        # Two editions: each sheet names its form; two editions of one form, their codes.
        prefix = None if len(forms) < 2 else edition.form if len(set(forms)) == len(forms) else edition.code
        for section in table["sections"]:
            names[edition.code, section["code"]] = _sheet_title(_sheet_name(section, prefix), taken)
    return names


def _section_rows(title: str, edition, section: dict, year: int) -> tuple[list, int]:
    """A section's sheet: the form's grid (a row per line, a column per column number, the
    sums in the cells), its indicators without a number below it by label, then every
    indicator with last year's value, the change and the reports that do not know it.
    Also how many columns the grid has."""
    form_section = next(s for s in edition.sections if s.code == section["code"])
    grid = {(line["indicator"].line, line["indicator"].column): line for line in section["lines"]
            if line["indicator"].line and line["indicator"].column}
    loose = [line for line in section["lines"] if (line["indicator"].line, line["indicator"].column) not in grid]
    heading = f"{edition.form}. {_sheet_name(section)}"
    if section["code"].isdigit():
        heading += f". {section['title']}"
    rows = [[Styled(title, bold=True)], [Styled(heading, bold=True)], []]
    columns = sorted({column for _line, column in grid}, key=_numbered)
    if grid:
        rows.append([Styled(_("Indicator"), bold=True), Styled(_("Line"), bold=True),
                     *(Styled(_column_heading(form_section, c, grid), bold=True) for c in columns)])
        rows.append([Styled(_("Form column"), bold=True), None,
                     *(Styled(int(c) if c.isdigit() else c, bold=True) for c in columns)])
        for number in sorted({line for line, _column in grid}, key=_numbered):
            cells = [_line_name(form_section, number, grid), number]
            for column in columns:
                found = grid.get((number, column))
                value = _figure(found["indicator"], found["value"]) if found else None
                cells.append("—" if found and value is None else value)  # "—": no report knows it
            rows.append(cells)
        # What the form does not number: by its label, its sum under the grid's first column.
        rows += [[line["indicator"].label, None, _figure(line["indicator"], line["value"]) if line["value"] is not None
                  else "—"] for line in loose]
        rows.append([])
    rows.append([Styled(h, bold=True) for h in (_("Indicator"), _("Line"), _("Form column"), str(year), str(year - 1),
                                              _("Change, %(unit)s", unit="%"), _("Reports without it"))])
    for line in section["lines"]:
        indicator = line["indicator"]
        rows.append([indicator.label, indicator.line or "", indicator.column or "",
                     _figure(indicator, line["value"]), _figure(indicator, line["before"]),
                     Styled(line["change"], "0.0") if line["change"] is not None else None, line["missing"] or None])
    return rows, len(columns)


def _title_rows(name: str, year: int, found: dict, names: dict) -> list:
    """The workbook's first sheet: whose, which year and form, by what act, what it sums,
    and which sheet holds which section."""
    from flask_babel import ngettext

    from app.statistics.forms import localized

    rows = [[Styled(name, bold=True)], [Styled(_("Statistical summary of %(year)d", year=year), bold=True)],
            [_("As of %(date)s", date=format_day(datetime.date.today()))], []]
    if found.get("district_rows"):  # a region: its districts' approved summaries
        rows.append([ngettext("The region's figures sum %(num)d approved district summary of %(total)d.",
                              "The region's figures sum %(num)d approved district summaries of %(total)d.",
                              found["included"], total=len(found["district_rows"]))])
        if found.get("own_included"):
            rows.append([_("They include the approved reports of the region's own libraries.")])
        rows.append([])
    if found.get("region_rows") is not None:  # the network: every region's approved district summaries
        rows += [[ngettext("The figures sum %(num)d approved district summary of %(total)s, and the approved "
                           "reports of the regions' own libraries.",
                           "The figures sum %(num)d approved district summaries of %(total)s, and the approved "
                           "reports of the regions' own libraries.", found["included"], total=found["total"])], []]
    for table in found["tables"]:
        edition = table["edition"]
        rows += [[Styled(f"{edition.form} — {edition.title}", bold=True)],
                 [_("Legal basis: %(act)s", act=localized(edition.act))],
                 [ngettext("Summed over %(num)d approved report.", "Summed over %(num)d approved reports.",
                           table["reports"])]]
        if any(line["missing"] for section in table["sections"] for line in section["lines"]):
            rows.append([_("Not known in some of the reports: the sum is of those that know it.")])
            rows.append([_("The table under each section's form shows how many reports do not know each figure.")])
        rows.append([Styled(_("Sheet"), bold=True), Styled(_("Section"), bold=True)])
        # A section named by its title (no number) has it as its sheet's name already.
        rows += [[names[edition.code, section["code"]], section["title"] if section["code"].isdigit() else None]
                 for section in table["sections"]]
        rows.append([])
    if not found["tables"]:
        rows.append([_("No report of this year is approved yet.")])
    return rows


def _way_up(node, scope):
    """The page above `node` the user may read: its region's, or for Admin on a region's
    page the network's (a name, and no id: the page without one)."""
    if node.parent_id is not None:
        return node.parent if scope.unrestricted or node.parent_id in scope.visible else None
    if scope.unrestricted and scope.node_id is None:
        from types import SimpleNamespace

        return SimpleNamespace(id=None, name=_("All regions"))
    return None


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
        if pk is None and scope.node_id is None:  # Admin: the whole network, a row per region
            title = f"{_('All regions')}: {_('Statistical summary of %(year)d', year=year)}"
            return self.render_template(
                "reports/stat_summary.html", title=title, node=None, year=year, number=format_number,
                statuses=StatReportStatus, day=format_day, **national(year), preliminary=PRELIMINARY,
                years=REPORTED_YEARS(),
                xlsx=url_for(".report_xlsx", year=year), page_frame=page_frame(title, format_day(datetime.date.today())))
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
            preliminary=PRELIMINARY,
            years=REPORTED_YEARS(),
            xlsx=url_for(".report_xlsx", pk=node.id, year=year),
            up=_way_up(node, scope),
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
        """The form's own layout: a first sheet of what is summed, then a sheet per section
        of each edition, then a region's districts."""
        from app.reports.files import _sheet_title

        year = _year()
        if pk is None and current_scope(db.session).node_id is None:  # Admin: the whole network
            named, found, whose = _("All regions"), national(year), "all"
            districts = key_figures_sheets(found["districts"])  # the regions on the key figures
        else:
            node = _node(pk)
            named, found, whose = node.name, summary(node, year), node.id
            districts = districts_sheets(node, year)  # a region's districts on the key figures
        title = f"{named}: {_('Statistical summary of %(year)d', year=year)}"
        # The names are fixed here, so that the first sheet lists them as the workbook has them.
        taken = {_sheet_title(_("Summary"), set())} | {_sheet_title(s.title, set()) for s in districts}
        names, sections = _sheet_names(found["tables"], taken), []
        for table in found["tables"]:
            edition = table["edition"]
            for section in table["sections"]:
                name = names[edition.code, section["code"]]
                rows, columns = _section_rows(title, edition, section, year)
                sections.append(Sheet(name, rows, widths=(60, 8, *(14,) * max(columns, 5)),
                                      frozen="C1" if columns else None, landscape=True))
        sheets = [Sheet(_("Summary"), _title_rows(named, year, found, names), widths=(70, 60), landscape=True),
                  *sections]
        sheets += districts
        return attachment(xlsx_chunks(sheets, str(get_locale())), f"stat-summary-{whose}-{year}.xlsx", XLSX)
