"""Yearly statistical reports from a spreadsheet: one row per library and year, one column
per indicator of the form, by its code (app/statistics/forms).

A row is matched to the report of its library and year. A new row starts a draft in the
edition the report screen would choose (the library's country and the year), with its
first history row; a report that exists takes the row's figures only while it is a draft
or returned for correction. An empty cell adds nothing and keeps what a report holds; a
cell "unknown" (in any of the three languages) or "?" says the library does not know the
figure. Totals that the form computes are computed from their parts, as on the entry
screen. The template lists the indicators of the user's country's edition for the last
year; the import reads the codes of every edition, each row in its report's own.

The columns Form and Status of an exported list of reports are read and left alone, so
that the list comes back unchanged.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from flask_babel import gettext as _

from app.extensions import db
from app.i18n import speaking
from app.models import Library, Tenant
from app.statistics import workflow
from app.statistics.entry import LARGEST, UNITS
from app.statistics.forms import edition as edition_named, edition_for, editions
from app.tenancy.session import current_scope

from .fields import LOCALES, NO, YES, Bad, Field, normal
from .kinds import Records

FIGURE = "figure"  # an indicator's column: a number or "unknown"
KEPT = "kept"  # a column of the exported list that the import leaves as it is
UNKNOWN_WORDS = ("unknown", "неизвестно", "не известно", "?")
LOWEST_YEAR = 1990  # as the table's check says


class StatReports(Records):
    """The reports of the user's libraries, as the entry screen fills them."""

    def __init__(self, record_type, *, dry_run: bool = True):
        super().__init__(record_type, dry_run=dry_run)
        # code -> (edition, indicator) of every edition that has it: the template's first
        self.template_edition = _template_edition()
        ordered = ([self.template_edition] if self.template_edition else []) + \
            [e for e in editions() if e is not self.template_edition]
        self.indicators: dict[str, list] = {}
        for found in ordered:
            for code, indicator in found.indicators.items():
                self.indicators.setdefault(code, []).append((found, indicator))
        self._names = None
        self._unknown = None  # the words for "unknown", read once an import

    # -- the columns ---------------------------------------------------------------

    def columns(self) -> list[Field]:
        return [*self._keys(), *(Field(code, FIGURE, False) for code in self.indicators),
                Field("edition", KEPT, False), Field("status", KEPT, False)]

    def template_columns(self) -> list[Field]:
        codes = self.template_edition.indicators if self.template_edition else {}
        return [*self._keys(), *(Field(code, FIGURE, False) for code in codes)]

    @staticmethod
    def _keys() -> list[Field]:
        return [Field("library", "one", True, target=Library), Field("year", "int", True)]

    def indicator(self, code: str):
        return self.indicators[code][0][1]

    def label(self, f: Field) -> str:
        if f.kind == FIGURE:
            return f"{f.name} {self.indicator(f.name).label}"
        return super().label(f)

    def headings(self, f: Field) -> set[str]:
        if f.kind != FIGURE:
            return super().headings(f)
        names = {normal(f.name)}
        for _edition, indicator in self.indicators[f.name]:
            for language in LOCALES:
                text = indicator.labels.get(language)
                if text:
                    names.add(normal(f"{f.name} {text}"))
                    if self._name_counts().get(normal(text)) == 1:  # a name two codes share names neither
                        names.add(normal(text))
        return names

    def _name_counts(self) -> dict[str, int]:
        if self._names is None:
            owners: dict[str, set] = {}
            for code, found in self.indicators.items():
                for _edition, indicator in found:
                    for text in indicator.labels.values():
                        owners.setdefault(normal(text), set()).add(code)
            self._names = {name: len(codes) for name, codes in owners.items()}
        return self._names

    def description(self, f: Field) -> str:
        if f.kind != FIGURE:
            return {"library": _("The library, by its name as on its card."),
                    "year": _("The year the figures are for.")}.get(f.name, "")
        indicator = self.indicator(f.name)
        section = next(s for s in self.indicators[f.name][0][0].sections if indicator in s.indicators)
        parts = [section.title, str(UNITS.get(indicator.unit, indicator.unit))]
        if f.name in workflow.computed_totals(self.indicators[f.name][0][0]):
            parts.append(_("a total: computed from its parts when all of them are given"))
        return "; ".join(parts)

    def format(self, f: Field) -> str | None:
        if f.kind != FIGURE:
            return None
        indicator = self.indicator(f.name)
        if indicator.type == "flag":
            return _("1 for yes, 0 for no, or “unknown”")
        if indicator.whole:
            return _("a whole number, or “unknown”")
        return _("a number with a decimal comma or point, or “unknown”")

    def example(self, f: Field):
        if f.name == "year":
            return datetime.date.today().year - 1
        if f.kind != FIGURE:
            return None
        indicator = self.indicator(f.name)
        return 1 if indicator.type == "flag" else 12 if indicator.whole else "0,5"

    def guide(self) -> list[str]:
        found = self.template_edition
        lines = []
        if found is not None:
            lines.append(_("One row per library and year. The columns after the year are the indicators of "
                           "the form %(form)s (%(title)s), by their codes: a heading may be the code alone, the "
                           "code and its name, or the name in Russian, Bulgarian or English.",
                           form=found.form, title=found.title))
        return lines + [
            _("Write “unknown” (or “?”) where the library does not know a figure. An empty cell adds nothing: "
              "in a report that exists, it keeps the figure the report holds."),
            _("A new row starts a draft report in the form of the library's country for that year. A report "
              "takes the file's figures only while it is a draft or returned for correction: a row for a "
              "submitted or approved report is refused."),
            _("Totals are computed from their parts when all the parts are given, as on the entry screen."),
            _("The columns Form and Status of an exported list of reports are left as the reports have them."),
        ]

    # -- the cells -------------------------------------------------------------------

    def convert(self, f: Field, value, *, within: dict | None = None):
        if f.kind == KEPT:
            return None
        if f.kind == FIGURE:
            return self._figure(f.name, value)
        found = super().convert(f, value, within=within)
        if f.name == "year" and found is not None:
            latest = datetime.date.today().year
            if not LOWEST_YEAR <= found <= latest:
                raise Bad(_("Enter a year between %(low)d and %(high)d.", low=LOWEST_YEAR, high=latest))
        return found

    def _figure(self, code: str, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        indicator = self.indicator(code)
        flag = indicator.type == "flag"
        if self._unknown is None:
            self._unknown = _unknown_words()
        if isinstance(value, str) and normal(value) in self._unknown:
            return workflow.UNKNOWN
        if isinstance(value, bool):
            if not flag:
                raise Bad(_not_a_number())
            number = Decimal(int(value))
        elif isinstance(value, (int, float)):
            number = Decimal(str(value))
        elif isinstance(value, (datetime.date, datetime.time)):
            raise Bad(_not_a_number())
        elif flag and normal(value) in (YES | NO) - {"0", "1"}:
            number = Decimal(1 if normal(value) in YES else 0)
        else:
            text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
            if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
                raise Bad(_not_a_number())
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise Bad(_not_a_number()) from None
        if not number.is_finite():
            raise Bad(_not_a_number())
        if abs(number) >= LARGEST:
            raise Bad(_("This number is too large."))
        if number < 0:
            raise Bad(_("Cannot be negative."))
        if indicator.whole and number != number.to_integral_value():
            raise Bad(_("Enter a whole number."))
        if flag and number not in (0, 1):
            raise Bad(_("Enter 1 for yes or 0 for no."))
        return workflow.stored(number)

    def cell_problems(self, values: dict) -> dict[str, str]:
        from app.validation import problems

        return problems(self.model, {k: values.get(k) for k in ("library", "year")})

    # -- the reports -----------------------------------------------------------------

    def _figures(self, values: dict) -> dict:
        """The row's figures: code -> number or "unknown", its empty cells left out."""
        return {code: value for code, value in values.items() if code in self.indicators and value is not None}

    def changes(self, item, values: dict, existing) -> dict:
        figures = self._figures(values)
        if not figures:
            return {}
        try:
            found = edition_named(item.edition)
        except LookupError:
            return {}
        merged = _merged(found, item.values or {}, {c: v for c, v in figures.items() if c in found.indicators})
        if merged == (item.values or {}) and all(c in found.indicators for c in figures):
            return {}
        return {"values": merged}

    def new(self, values: dict):
        from app.records.stat_report import StatReport, StatReportStatus

        library, year = values["library"], values["year"]
        found = workflow.edition_for_library(library, year)
        figures = self._figures(values)
        report = StatReport(library=library, year=year, status=StatReportStatus.draft, notes={},
                            edition=found.code if found is not None else None)
        report.values = _merged(found, {}, {c: v for c, v in figures.items() if c in found.indicators}) \
            if found is not None else {}
        return report

    def refusals(self, session, item, values: dict) -> dict[str, str]:
        found = {}
        if item.edition is not None:
            form = edition_named(item.edition)
            for code in self._figures(values):
                if code not in form.indicators:
                    found[code] = _("This indicator is not in the form %(form)s that the report is filled in.",
                                    form=form.form)
        if item.id is not None and not workflow.editable(item):
            found[""] = _("The report is “%(status)s”: its figures can be changed once it is returned "
                          "for correction.", status=item.status)
        return {**found, **super().refusals(session, item, values)}

    def created(self, item) -> None:
        from app.audit import _actor

        user_id, _name = _actor()
        workflow.started(item, SimpleNamespace(id=user_id) if user_id is not None else None)

    def untouched(self, item, entry, summary) -> bool:
        """A report submitted since the import keeps its figures (and its history its steps)."""
        return not isinstance(item, self.model) or workflow.editable(item)


def _merged(form, stored: dict, figures: dict) -> dict:
    """The report's figures once the row's are written over the stored ones; a total its
    parts make is theirs, whatever the file says (as on the entry screen)."""
    out = {**stored, **figures}
    for rule in form.sums:
        if all(workflow.number(out.get(p)) is not None for p in rule.parts):
            out.pop(rule.whole, None)
    return workflow.with_totals(form, out)


def _not_a_number() -> str:
    return _("Enter a number, or “unknown” where the library does not know it.")


def _unknown_words() -> set[str]:
    words = {normal(w) for w in UNKNOWN_WORDS}
    for language in LOCALES:
        with speaking(language):
            words.add(normal(_("unknown")))
    return words


def _template_edition():
    """The edition of the user's country for the last year: by their district's (or
    region's) language; for a user above every tenant, by the language they read."""
    from flask_babel import get_locale

    scope = current_scope(db.session)
    tenant = None
    if scope.node_id is not None:
        tenant = db.session.get(Tenant, scope.node_id)
    elif scope.library_id is not None:
        library = db.session.get(Library, scope.library_id)
        tenant = library.tenant if library is not None else None
    if tenant is not None:
        country = workflow.country_of(tenant)
    else:
        locale = get_locale()
        country = "bg" if locale is not None and locale.language == "bg" else "ru"
    return edition_for(country, datetime.date.today().year - 1)
