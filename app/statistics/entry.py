"""The entry screen's figures: what its form sends, read back into a report's values and
notes, and the rows it shows (each indicator with last year's value and the change).

A field is `v_<code>` (the figure as typed, in the user's way of writing numbers),
`u_<code>` (ticked: unknown, which is neither 0 nor empty) and `n_<code>` (its note).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import get_locale, gettext, lazy_gettext

from app.i18n import format_number, form_number, parse_number

from .forms import Edition, Indicator
from .workflow import UNKNOWN, computed_totals, number, stored, with_totals

LARGEST = Decimal(10) ** 12  # more than any library counts; keeps a figure exact in JSON
NOTE_LENGTH = 2000
UNITS = {
    "people": lazy_gettext("people"), "visits": lazy_gettext("visits"), "copies": lazy_gettext("copies"),
    "records": lazy_gettext("records"), "documents": lazy_gettext("documents"),
    "requests": lazy_gettext("requests"), "events": lazy_gettext("events"), "projects": lazy_gettext("projects"),
    "units": lazy_gettext("units"), "seats": lazy_gettext("seats"), "posts": lazy_gettext("posts"),
    "thousand_rub": lazy_gettext("thousand roubles"), "thousand_bgn": lazy_gettext("thousand leva"),
    "m2": lazy_gettext("m²"), "yes_no": lazy_gettext("1 yes, 0 no"),
}


def read(edition: Edition, form) -> tuple[dict, dict, dict[str, str]]:
    """(values, notes, code -> error) from the entry form. With an error nothing is to be
    saved: the form is shown again with what was typed."""
    values, notes, errors = {}, {}, {}
    totals = computed_totals(edition)
    for code, indicator in edition.indicators.items():
        note = (form.get(f"n_{code}") or "").strip()
        if note:
            if len(note) > NOTE_LENGTH or "\x00" in note:
                errors[code] = gettext("Enter a note of at most %(max)d characters, without control characters.",
                                       max=NOTE_LENGTH)
            notes[code] = note
        if form.get(f"u_{code}"):
            values[code] = UNKNOWN
            continue
        text = (form.get(f"v_{code}") or "").strip()
        if not text:
            continue
        try:
            value = parse_number(text)
        except (ValueError, ArithmeticError):
            errors[code] = gettext("Enter a number, such as %(example)s.", example=form_number(Decimal("1234.5"))
                                   if not indicator.whole else "1234")
            continue
        if abs(value) >= LARGEST:
            errors[code] = gettext("This number is too large.")
        elif indicator.whole and value != value.to_integral_value():
            errors[code] = gettext("Enter a whole number.")
        elif indicator.type == "flag" and value not in (0, 1):
            errors[code] = gettext("Enter 1 for yes or 0 for no.")
        else:
            values[code] = stored(value)
    # A total that its parts make is theirs, whatever was sent for it.
    values = with_totals(edition, {c: v for c, v in values.items()
                                   if c not in totals or not _parts_known(edition, c, values)})
    return values, notes, errors


def _parts_known(edition: Edition, total: str, values: dict) -> bool:
    return any(rule.whole == total and all(number(values.get(p)) is not None for p in rule.parts)
               for rule in edition.sums)


@dataclass
class Row:
    indicator: Indicator
    text: str  # the value as the form shows it
    unknown: bool
    note: str
    last: str  # last year's value as read, "" when there was none
    change: str  # "+25 %", "" when it cannot be said
    parts: list[str]  # a computed total's parts ("-code": taken away)
    problems: list  # the checks' problems about this field

    @property
    def unit(self) -> str:
        return str(UNITS.get(self.indicator.unit, self.indicator.unit))

    @property
    def level(self) -> str | None:
        if any(p.blocks for p in self.problems):
            return "error"
        return "warning" if self.problems else None


def shown(value) -> str:
    if value is None:
        return ""
    if value == UNKNOWN:
        return gettext("unknown")
    return format_number(number(value))


def change(value, last) -> str:
    now, before = number(value), number(last)
    if now is None or not before:
        return ""
    ratio = (Decimal(now) - Decimal(before)) / abs(Decimal(before))
    return ("+" if ratio > 0 else "") + format_percent(ratio, format="#,##0.#%", locale=str(get_locale() or "en"))


def sections(edition: Edition, values: dict, notes: dict, last_year: dict, found: list,
             typed: dict | None = None) -> list[tuple]:
    """(section, its rows) in form order; `typed`: the form as sent, shown again after an error."""
    parts = {}
    for rule in edition.sums:
        parts.setdefault(rule.whole, [("-" if p in rule.minus else "") + p for p in rule.parts])
    by_code = {}
    for problem in found:
        by_code.setdefault(problem.code, []).append(problem)
    out = []
    for section in edition.sections:
        rows = []
        for indicator in section.indicators:
            code, value = indicator.code, values.get(indicator.code)
            if typed is not None:
                unknown = bool(typed.get(f"u_{code}"))
                text, note = typed.get(f"v_{code}") or "", typed.get(f"n_{code}") or ""
            else:
                unknown = value == UNKNOWN
                text = "" if value is None or unknown else form_number(number(value))
                note = notes.get(code) or ""
            rows.append(Row(indicator, text, unknown, note, shown(last_year.get(code)),
                            change(value, last_year.get(code)), parts.get(code, []), by_code.get(code, [])))
        out.append((section, rows))
    return out
