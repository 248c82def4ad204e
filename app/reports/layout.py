"""How the dashboard's figures are laid out: its tables and charts, labelled in the
user's language. The page, its XLSX and its charts all read this one layout."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale, gettext as _

from app.choices import Audience, ContestResult, LibraryKind, OutreachKind
from app.i18n import format_number

from .figures import PLACES, Report


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str | None = None  # a heading shared by the columns next to it
    share_of: str | None = None  # a percentage of this figure, not a count
    # A figure of the page's owner, not of its rows: a district holds contests, its
    # libraries only enter them. A library's row has no such figure, and says so.
    owner: bool = False

    def value(self, counts):
        """The cell: a count, or a share (0..1, None when there is nothing to divide)."""
        if self.share_of is None:
            return counts[self.key]
        whole = counts[self.share_of]
        return counts[self.key] / whole if whole else None


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    columns: list[Column]

    def headings(self) -> tuple[list, list]:
        """The table's heading: cells [label, colspan, grouped?] of the upper row, and the
        labels of grouped columns in the row below it."""
        upper, lower, previous = [], [], None
        for column in self.columns:
            if column.group is None:
                upper.append([column.label, 1, False])
            elif column.group == previous:
                upper[-1][1] += 1
            else:
                upper.append([column.group, 1, True])
            if column.group is not None:
                lower.append(column.label)
            previous = column.group
        return upper, lower

    def flat_headings(self) -> list[str]:
        """One heading per column, for a spreadsheet: "Higher education: %"."""
        return [f"{c.group}: {c.label}" if c.group else c.label for c in self.columns]


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[tuple[str, int]]


def applies(column: Column, row: dict) -> bool:
    """Does the cell of `column` in `row` mean anything? A library's row has no owner's
    figure, and the owner's row (a district's own contests) has only those."""
    if row.get("owner"):
        return column.owner
    return not (column.owner and row.get("library"))


def _present(total, prefix, choices):
    """The values of a list that occur on the page: a column for each, not for all."""
    return [c for c in choices if total[f"{prefix}.{c.name}"]]


def sections(report: Report) -> list[Section]:
    total = report.total
    kinds = _present(total, "libraries", LibraryKind)
    audiences = _present(total, "clubs", Audience)
    outreach = _present(total, "outreach", OutreachKind)
    higher, library = _("Higher education"), _("Library education")
    age, service = _("Age"), _("Length of service")
    contests = _("Contests of %(year)s", year=report.year) if report.year else _("Contests")
    return [
        Section("libraries", _("Libraries"), [
            Column("libraries", _("Active libraries")),
            *(Column(f"libraries.{k.name}", str(k), _("By kind")) for k in kinds)]),
        Section("staff", _("Staff"), [
            Column("staff", _("Headcount")),
            Column("staff.higher", _("Number"), higher), Column("staff.higher", "%", higher, "staff"),
            Column("staff.library", _("Number"), library), Column("staff.library", "%", library, "staff"),
            Column("age.under_30", _("under 30"), age), Column("age.30_55", _("30 to 55"), age),
            Column("age.55_over", _("55 and over"), age),
            Column("service.under_3", _("under 3 years"), service),
            Column("service.3_6", _("3 to 6 years"), service),
            Column("service.6_10", _("6 to 10 years"), service),
            Column("service.over_10", _("over 10 years"), service)]),
        Section("clubs", _("Interest clubs"), [
            Column("clubs", _("Clubs")), Column("members", _("Members")),
            *(column for a in audiences for column in (
                Column(f"clubs.{a.name}", _("Clubs"), str(a)),
                Column(f"members.{a.name}", _("Members"), str(a))))]),
        Section("outreach", _("Outreach service"), [
            Column("outreach", _("Points")), Column("readers", _("Readers served")),
            *(column for k in outreach for column in (
                Column(f"outreach.{k.name}", _("Points"), str(k)),
                Column(f"readers.{k.name}", _("Readers"), str(k))))]),
        Section("events", _("Events of %(year)s", year=report.event_year), [
            Column("events.held", _("Held")), Column("attendance", _("Attendance")),
            Column("attendance.children", _("children up to 14"), _("Of them")),
            Column("attendance.youth", _("youth 15–30"), _("Of them")),
            Column("events.planned", _("Planned")), Column("events.cancelled", _("Cancelled"))]),
        Section("contests", contests, [
            Column("contests", _("Contests held"), owner=True), Column("entries", _("Entries")),
            Column("winners", _("Winners (1st to 3rd place)")),
            *(Column(f"place.{p.name}", str(p), _("Of them")) for p in PLACES)]),
    ]


MOST_BARS = 20  # a comparison of more rows draws the largest: the table lists them all


def charts(report: Report) -> list[Chart]:
    """The main indicators as bars: per row of the page, and the total's make-up."""
    total, units = report.total, report.units

    def per_unit(key):
        bars = [(unit_label(unit), report.rows[unit.id][key]) for unit in units]
        if len(bars) <= MOST_BARS:
            return bars
        return sorted(bars, key=lambda bar: -bar[1])[:MOST_BARS]

    def largest(title):
        if len(units) <= MOST_BARS:
            return title
        return _("%(title)s: the %(most)d largest of %(all)d", title=title, most=MOST_BARS, all=len(units))

    # One rule for every chart: each category has its bar, a zero too (a library with no
    # club is what a methodologist looks for). A chart with nothing at all is left out.
    def make_up(prefix, labels):
        return [(label, total[f"{prefix}.{name}"]) for name, label in labels]

    # A district has no regional library: that bar would always be empty there.
    kinds = [k for k in LibraryKind if not (report.by_library and k is LibraryKind.regional)]

    by_unit = [] if report.by_library else [Chart(largest(_("Active libraries")), per_unit("libraries"))]
    drawn = [
        *by_unit,
        Chart(largest(_("Staff")), per_unit("staff")),
        Chart(largest(_("Interest clubs")), per_unit("clubs")),
        Chart(largest(_("Events held in %(year)s", year=report.event_year)), per_unit("events.held")),
        Chart(_("Active libraries by kind"), make_up("libraries", [(k.name, str(k)) for k in kinds])),
        Chart(_("Staff by education"), [(_("Higher education"), total["staff.higher"]),
                                        (_("Library education"), total["staff.library"])]),
        Chart(_("Staff by age"), make_up("age", [
            ("under_30", _("under 30")), ("30_55", _("30 to 55")), ("55_over", _("55 and over"))])),
        Chart(_("Staff by length of service"), make_up("service", [
            ("under_3", _("under 3 years")), ("3_6", _("3 to 6 years")),
            ("6_10", _("6 to 10 years")), ("over_10", _("over 10 years"))])),
        Chart(_("Club members by audience"), make_up("members", [(a.name, str(a)) for a in Audience])),
        Chart(_("Readers served by outreach"), make_up("readers", [(k.name, str(k)) for k in OutreachKind])),
        Chart(_("Contest results"), make_up("place", [(r.name, str(r)) for r in ContestResult if r in PLACES])),
    ]
    return [chart for chart in drawn if any(value for _label, value in chart.bars)]


def percent(share: float | None, locale: str | None = None) -> str:
    """A whole percentage, as the districts write it: 50%."""
    return "—" if share is None else f"{format_number(round(share * 100), locale)}%"


def shown(column: Column, counts, locale: str | None = None) -> str:
    """A table cell as the page shows it."""
    value = column.value(counts)
    return percent(value, locale) if column.share_of else format_number(value, locale)


def cells(section, row: dict, applies=None) -> list[str | None]:
    """A table row's cells as the page shows them, None where the cell means nothing."""
    locale = str(get_locale())
    return [shown(column, row["counts"], locale) if applies is None or applies(column, row) else None
            for column in section.columns]


def unit_label(unit) -> str:
    return _("%(name)s, regional level", name=unit.name) if unit.own else unit.name


def owner_label(report: Report) -> str:
    """The row of a district's own figures on its page: the contests it holds."""
    return _("%(name)s, district level", name=report.node.name)
