"""A region's districts compared on the key figures of their statistics: users, visits,
loans, events and stock summed over each district's approved reports of a year, beside the
year before, and the ratios methodologists quote:

- coverage (охват, обхват): users per 100 inhabitants;
- visits per user (посещаемость, посещаемост);
- loans per user (читаемость, читаемост);
- stock turnover (обращаемость, обращаемост): loans / stock;
- stock per inhabitant (книгообеспеченность, книгообезпеченост).

Which indicator holds a key figure is the edition's data (its `key:`, app/statistics/forms.py),
so districts that report in different editions are compared all the same. A ratio one of
whose parts is unknown, or that needs a population not entered, is None with the reason.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext as _, lazy_gettext
from sqlalchemy import select

from app.extensions import db

from .forms import KEY_FIGURES, edition as edition_named
from .summary import Consolidated, change, combine, consolidate

FIGURES = tuple(KEY_FIGURES)  # users, visits, loans, events, stock
FIGURE_LABELS = {
    "users": lazy_gettext("Users"), "visits": lazy_gettext("Visits"), "loans": lazy_gettext("Loans"),
    "events": lazy_gettext("Events"), "stock": lazy_gettext("Stock at year end"),
}


# Why a row's figures are not yet the region's: shown beside the row and the total.
PRELIMINARY = lazy_gettext("Preliminary: the district's summary is not approved yet; its libraries' approved "
                           "reports so far are shown, and summed in the total.")


@dataclass(frozen=True)
class RatioKind:
    name: str
    label: object  # lazy text
    hint: object  # how it is computed, lazy text
    numerator: str
    denominator: str  # a key figure, or "population"
    scale: int  # 100 for "per 100 inhabitants"
    places: int  # decimals shown


RATIOS = (
    RatioKind("coverage", lazy_gettext("Coverage"), lazy_gettext("users per 100 inhabitants"),
              "users", "population", 100, 1),
    RatioKind("visits_per_user", lazy_gettext("Visits per user"), lazy_gettext("visits / users"),
              "visits", "users", 1, 1),
    RatioKind("loans_per_user", lazy_gettext("Loans per user"), lazy_gettext("loans / users"),
              "loans", "users", 1, 1),
    RatioKind("turnover", lazy_gettext("Stock turnover"), lazy_gettext("loans / stock"),
              "loans", "stock", 1, 2),
    RatioKind("stock_per_inhabitant", lazy_gettext("Stock per inhabitant"), lazy_gettext("stock / population"),
              "stock", "population", 1, 1),
)


@dataclass
class Figure:
    now: Decimal | None = None  # the sum over the approved reports that know it
    before: Decimal | None = None  # the same, the year before
    missing: int = 0  # approved reports of the year that do not know it

    @property
    def change(self) -> Decimal | None:
        return change(self.now, self.before)


@dataclass
class Ratio:
    kind: RatioKind
    value: Decimal | None
    reason: str | None = None  # why there is no value
    note: int | None = None  # the number of the table's footnote that gives the reason

    @property
    def shown(self) -> str:
        return format_ratio(self.value, self.kind.places)


@dataclass
class Row:
    name: str
    tenant_id: int | None  # a district's, whose summary the name links to
    population: int | None
    reports: int = 0  # approved reports of the year
    figures: dict[str, Figure] = field(default_factory=lambda: {name: Figure() for name in FIGURES})
    ratios: list[Ratio] = field(default_factory=list)
    total: bool = False
    own: bool = False  # the region's own libraries, which serve the whole region
    population_summed: bool = False  # the total's population is its districts' sum
    preliminary: bool = False  # a district's summary not approved: its approved reports so far


@dataclass
class Table:
    year: int
    figures = FIGURES
    labels = FIGURE_LABELS
    kinds = RATIOS
    rows: list[Row]  # the districts, the region's own libraries (if they report), the total last
    notes: list[str]  # the reasons of the ratios not given, numbered from 1
    unit: str = "district"  # what a row is: a district (a region's table) or a region (the network's)

    @property
    def partial(self) -> bool:
        """Is some sum over fewer reports than were approved (marked with an asterisk)?"""
        return any(f.missing and f.now is not None for row in self.rows for f in row.figures.values())


def _figures(reports: list[tuple[str, dict]]) -> tuple[dict[str, Decimal | None], dict[str, int]]:
    """The key figures summed over `reports` ((edition code, values)), through each edition's
    own `key`: (name -> sum or None, name -> reports that do not know it)."""
    by_edition = defaultdict(list)
    for code, values in reports:
        by_edition[code].append(values or {})
    sums, missing = dict.fromkeys(FIGURES), dict.fromkeys(FIGURES, 0)
    for code, values in by_edition.items():
        edition = edition_named(code)
        summed = consolidate(edition, values)
        for name in FIGURES:
            indicator = edition.key.get(name)
            value = summed.value(indicator) if indicator else None
            missing[name] += summed.missing[indicator] if indicator else summed.reports
            if value is not None:
                sums[name] = (sums[name] or Decimal(0)) + value
    return sums, missing


def _ratio(kind: RatioKind, row: Row) -> Ratio:
    def label(name):
        return str(FIGURE_LABELS[name]).lower()

    if not row.reports:
        return Ratio(kind, None, _("No approved report of this year."))
    if kind.denominator == "population" and row.own:
        return Ratio(kind, None, _("The region's own libraries serve the whole region: see its total."))
    if kind.denominator == "population" and row.population is None:
        return Ratio(kind, None, _("The population is not entered: enter it on the region's or district's card."))
    figures = [name for name in (kind.numerator, kind.denominator) if name != "population"]
    for name in figures:
        if row.figures[name].now is None:
            return Ratio(kind, None, _("No approved report gives it: %(figure)s.", figure=label(name)))
        if row.figures[name].missing:
            return Ratio(kind, None, _("Not known in some approved reports: %(figure)s.", figure=label(name)))
    numerator = row.figures[kind.numerator].now
    denominator = row.population if kind.denominator == "population" else row.figures[kind.denominator].now
    if not denominator:
        return Ratio(kind, None, _("Nothing to divide by, it is zero: %(figure)s.", figure=label(kind.denominator)))
    value = numerator * kind.scale / Decimal(denominator)
    return Ratio(kind, value.quantize(Decimal(1).scaleb(-kind.places), rounding=ROUND_HALF_UP))


def _kept_figures(kept: dict) -> tuple[dict[str, Decimal | None], dict[str, int], int]:
    """The key figures of summed figures as a summary keeps them (edition code -> {"reports",
    "values", "missing"}): (name -> sum or None, name -> reports not knowing it, reports)."""
    sums, missing, reports = dict.fromkeys(FIGURES), dict.fromkeys(FIGURES, 0), 0
    for code, part in (kept or {}).items():
        summed = part if isinstance(part, Consolidated) else combine(edition_named(code), [part])
        reports += summed.reports
        for name in FIGURES:
            indicator = summed.edition.key.get(name)
            value = summed.value(indicator) if indicator else None
            missing[name] += summed.missing[indicator] if indicator else summed.reports
            if value is not None:
                sums[name] = (sums[name] or Decimal(0)) + value
    return sums, missing, reports


def districts_table(region, year: int) -> Table | None:
    """The table of `region`'s districts for `year`; None for a district (it has none).

    A district whose summary the region has approved shows the figures it keeps, which are
    those of the region's own summary; another shows its libraries' approved reports so far,
    marked preliminary, and so does the total while any of its rows is."""
    from app.records.stat_report import StatReport, StatReportStatus
    from app.records.stat_summary import StatSummary

    districts = sorted(region.children, key=lambda t: t.name)
    if region.parent_id is not None or not districts:
        return None
    ids = [region.id, *(d.id for d in districts)]
    years = (year, year - 1)
    found = db.session.execute(select(StatReport.tenant_id, StatReport.year, StatReport.edition, StatReport.values)
                               .where(StatReport.tenant_id.in_(ids), StatReport.year.in_(years),
                                      StatReport.status == StatReportStatus.approved)).all()
    reports = defaultdict(list)  # (tenant id, year) -> [(edition, values)]
    for tenant_id, report_year, code, values in found:
        reports[tenant_id, report_year].append((code, values))
    kept = {(tenant_id, summary_year): values for tenant_id, summary_year, values in db.session.execute(
        select(StatSummary.tenant_id, StatSummary.year, StatSummary.values).where(
            StatSummary.tenant_id.in_(ids[1:]), StatSummary.year.in_(years),
            StatSummary.status == StatReportStatus.approved))}

    rows = [Row(d.name, d.id, d.population) for d in districts]
    if reports.get((region.id, year)) or reports.get((region.id, year - 1)):
        rows.append(Row(_("%(region)s: its own libraries", region=region.name), None, None, own=True))
    for row, tenant_id in zip(rows, ids[1:] + [region.id]):
        figures = {}
        for one in years:
            if (tenant_id, one) in kept:
                figures[one] = _kept_figures(kept[tenant_id, one])
            else:  # the region's own libraries, or a district whose summary is not approved
                figures[one] = (*_figures(reports.get((tenant_id, one), [])), len(reports.get((tenant_id, one), [])))
                if one == year and not row.own and figures[one][2]:
                    row.preliminary = True
        sums_now, missing, row.reports = figures[year]
        sums_before = figures[year - 1][0]
        for name in FIGURES:
            row.figures[name] = Figure(sums_now[name], sums_before[name], missing[name])
    total = Row(_("Total for the region"), None, region.population, total=True)
    return _with_total(rows, total, year)


def regions_table(regions, year: int) -> Table | None:
    """The network's regions on the key figures (Admin's national summary): for each region
    (region, its figures as its own summary gives them: {year: edition code -> Consolidated},
    its districts' populations); the population a region's own, else its districts' summed
    when all have it."""
    if not regions:
        return None
    rows = []
    for region, figures, populations in regions:
        population, summed = region.population, False
        if population is None and populations and None not in populations:
            population, summed = sum(populations), True
        row = Row(region.name, region.id, population, population_summed=summed)
        sums_now, missing, row.reports = _kept_figures(figures.get(year))
        sums_before = _kept_figures(figures.get(year - 1))[0]
        for name in FIGURES:
            row.figures[name] = Figure(sums_now[name], sums_before[name], missing[name])
        rows.append(row)
    table = _with_total(rows, Row(_("Total for all regions"), None, None, total=True), year)
    table.unit = "region"
    return table


def _with_total(rows: list[Row], total: Row, year: int) -> Table:
    """The table of `rows` with `total` (the sum of its rows) last, and every row's ratios."""
    for name in FIGURES:  # the total is the sum of its rows
        parts = [row.figures[name] for row in rows]
        total.figures[name] = Figure(_sum(p.now for p in parts), _sum(p.before for p in parts),
                                     sum(p.missing for p in parts))
    total.reports = sum(row.reports for row in rows)
    total.preliminary = any(row.preliminary for row in rows)
    populations = [row.population for row in rows if row.reports]
    if total.population is None and populations and None not in populations:
        # No population of its own, and only its rows' libraries report: the inhabitants
        # of those rows summed (those without an approved report would understate the coverage).
        total.population, total.population_summed = sum(populations), True
    rows.append(total)

    notes: list[str] = []
    for row in rows:
        row.ratios = [_ratio(kind, row) for kind in RATIOS]
        for ratio in row.ratios:
            if ratio.reason is not None:
                if ratio.reason not in notes:
                    notes.append(ratio.reason)
                ratio.note = notes.index(ratio.reason) + 1
    return Table(year, rows, notes)


def _sum(values) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def format_ratio(value: Decimal | None, places: int) -> str:
    """A ratio in the user's locale with exactly `places` decimals: 4,0 and 0,85."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * places, locale=str(get_locale()))


def districts_sheets(region, year: int) -> list:
    """The table as a sheet of the summary's workbook (none for a district)."""
    return key_figures_sheets(districts_table(region, year))


def key_figures_sheets(table: Table | None) -> list:
    """A table of districts or regions as a sheet of a summary's workbook (none without one)."""
    from app.reports.files import Sheet, Styled

    if table is None:
        return []
    year, regions = table.year, table.unit == "region"
    title = (_("Key indicators of the regions, %(year)d", year=year) if regions
             else _("Key indicators of the districts, %(year)d", year=year))
    groups = [Styled(title, bold=True)]
    heads = [Styled(_("Region") if regions else _("District"), bold=True), Styled(_("Population"), bold=True)]
    groups += [None]
    for name in FIGURES:
        groups += [Styled(str(FIGURE_LABELS[name]), bold=True), None, None]
        heads += [Styled(str(year), bold=True), Styled(str(year - 1), bold=True),
                  Styled(_("Change, %(unit)s", unit="%"), bold=True)]
    for kind in RATIOS:
        groups.append(Styled(str(kind.label), bold=True))
        heads.append(Styled(str(kind.hint), bold=True))
    groups.append(None)
    heads.append(Styled(_("Notes"), bold=True))

    def whole(value):  # a sum of counts is a whole number: 412, not 412.00
        return int(value) if value is not None and value == value.to_integral_value() else value

    rows = [groups, heads]
    for row in table.rows:
        cells = [Styled(row.name, bold=row.total), row.population]
        for name in FIGURES:
            figure = row.figures[name]
            cells += [whole(figure.now), whole(figure.before),
                      Styled(figure.change, "0.0") if figure.change is not None else None]
        cells += [Styled(r.value, "0." + "0" * r.kind.places) if r.value is not None else None for r in row.ratios]
        notes = [f"{r.kind.label}: {r.reason}" for r in row.ratios if r.reason]
        if row.preliminary:
            notes.insert(0, str(PRELIMINARY))
        cells.append("; ".join(notes) or None)
        rows.append(cells)
    widths = (36, 12, *(12,) * (3 * len(FIGURES)), *(14,) * len(RATIOS), 60)
    return [Sheet(_("Regions") if regions else _("Districts"), rows, widths=widths, frozen="C3", landscape=True)]
