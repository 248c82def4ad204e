"""The checks a report's figures pass before it is submitted.

Values are indicator code -> number, or None for "unknown", which is not 0: a rule with an
unknown part says nothing, a total with an unknown part stays unknown. An error (a broken
sum, a part above its whole, a required value missing, a negative, a fraction of a count)
blocks submission; a warning (a change from last year beyond the region's threshold) wants
a note. Every message names the indicator by its label in the user's language, with its
line and column.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import get_locale, gettext

from app.i18n import format_number

from .forms import Edition, Indicator

ERROR, WARNING = "error", "warning"
THRESHOLD = 0.2  # a change from last year beyond this wants a note, unless the region sets its own


@dataclass(frozen=True)
class Problem:
    level: str  # ERROR blocks submission; WARNING wants a note
    code: str  # the indicator it is about
    kind: str  # sum, le, required, negative, whole, flag, change
    message: str

    @property
    def blocks(self) -> bool:
        return self.level == ERROR


def _number(code: str, value):
    """A value as the checks count it; what is not a finite number is the caller's mistake
    (the form and the import read what people type), never a figure."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        value = Decimal(str(value))  # 0.1 + 0.2 must be 0.3 in a sum of money
    if isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite()):
        return value
    raise TypeError(f"{code}: {value!r} is not a number")


def _known(edition: Edition, values: dict | None) -> dict:
    values = values or {}
    return {code: _number(code, values.get(code)) for code in edition.indicators}


def computed(edition: Edition, values: dict) -> dict:
    """Every indicator's value, with the totals whose parts are all known filled in (a total
    given stays as given: the checks compare it with its parts)."""
    out = _known(edition, values)
    for rule in edition.sums:  # parts' own totals first
        if out[rule.whole] is None and all(out[p] is not None for p in rule.parts):
            out[rule.whole] = rule.total(out)
    return out


def field_name(indicator: Indicator) -> str:
    """The indicator as the form names it: its label, line and column."""
    if indicator.line and indicator.column:
        return gettext("\"%(label)s\" (line %(line)s, column %(column)s)",
                       label=indicator.label, line=indicator.line, column=indicator.column)
    if indicator.line:
        return gettext("\"%(label)s\" (line %(line)s)", label=indicator.label, line=indicator.line)
    return gettext("\"%(label)s\"", label=indicator.label)


def check(edition: Edition, values: dict, last_year: dict | None = None,
          threshold: float = THRESHOLD) -> list[Problem]:
    """The problems of a report's values: errors first, then warnings, in form order."""
    given = _known(edition, values)
    now = computed(edition, values)
    name = {code: field_name(indicator) for code, indicator in edition.indicators.items()}
    problems = []

    def error(code, kind, message):
        problems.append(Problem(ERROR, code, kind, message))

    for code, indicator in edition.indicators.items():
        value = now[code]
        if value is None:
            if indicator.required:
                error(code, "required", gettext("Enter %(field)s: it is required.", field=name[code]))
            continue
        if value < 0:
            error(code, "negative", gettext("%(field)s cannot be negative.", field=name[code]))
        elif indicator.type == "flag" and value not in (0, 1):
            error(code, "flag", gettext("%(field)s must be 1 (yes) or 0 (no).", field=name[code]))
        elif indicator.whole and value != int(value):
            error(code, "whole", gettext("%(field)s must be a whole number.", field=name[code]))

    above = set()  # (part, whole) found too large: a rule over several parts says it no twice
    for rule in edition.rules:
        parts = [now[p] for p in rule.parts]
        whole = given[rule.whole] if rule.kind == "sum" else now[rule.whole]
        if whole is None or any(p is None for p in parts):
            continue  # an unknown says nothing
        if rule.kind == "le" and any((p, rule.whole) in above for p in rule.parts):
            continue
        total = rule.total(now)
        if rule.kind == "sum" and total != whole:
            error(rule.whole, "sum", gettext(
                "%(field)s is %(value)s, but its parts add up to %(sum)s: %(parts)s.",
                field=name[rule.whole], value=format_number(whole), sum=format_number(total),
                parts=", ".join(("− " if p in rule.minus else "") + name[p] for p in rule.parts)))
        elif rule.kind == "le" and total > whole:
            if len(rule.parts) == 1:
                message = gettext("%(field)s (%(value)s) cannot be more than %(whole)s (%(limit)s).",
                                  field=name[rule.parts[0]], value=format_number(total),
                                  whole=name[rule.whole], limit=format_number(whole))
            else:
                message = gettext("%(fields)s together (%(value)s) cannot be more than %(whole)s (%(limit)s).",
                                  fields=", ".join(name[p] for p in rule.parts), value=format_number(total),
                                  whole=name[rule.whole], limit=format_number(whole))
            error(rule.parts[0], "le", message)
            above.update((p, rule.whole) for p in rule.parts)

    if last_year:
        before = computed(edition, last_year)
        limit = Decimal(str(threshold))
        for code, indicator in edition.indicators.items():
            value, last = now[code], before[code]
            if indicator.type == "flag" or value is None or not last:
                continue  # no change to measure from an unknown or a zero
            change = (Decimal(value) - Decimal(last)) / abs(Decimal(last))
            if abs(change) > limit:
                sign = "+" if change > 0 else ""
                problems.append(Problem(WARNING, code, "change", gettext(
                    "%(field)s changed by %(change)s since last year (%(last)s, now %(value)s): "
                    "explain the change in a note.",
                    field=name[code], change=sign + format_percent(change, locale=str(get_locale() or "en")),
                    last=format_number(last), value=format_number(value))))
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocks]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.blocks]
