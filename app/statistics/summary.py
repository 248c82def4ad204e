"""A district's or a region's figures of a year, computed from the approved reports of its
libraries, never typed: each indicator the sum of what the reports know of it, and how
many reports do not know it (a sum over fewer libraries than reported says so). A district's
summary keeps its sums as submitted (`kept`); a region's are those summed (`combine`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .forms import Edition

UNKNOWN = "unknown"


def _number(value) -> Decimal | None:
    if value is None or value == UNKNOWN or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@dataclass
class Consolidated:
    edition: Edition
    reports: int = 0  # the approved reports summed
    values: dict[str, Decimal] = field(default_factory=dict)  # code -> sum of the known values
    missing: Counter = field(default_factory=Counter)  # code -> reports that do not know it

    def value(self, code: str) -> Decimal | None:
        """The sum, or None when no report knows the indicator."""
        return self.values.get(code)

    def flag_yes(self, code: str) -> int:
        """For a yes/no indicator: how many libraries answer yes (a sum of 1s)."""
        return int(self.values.get(code) or 0)


def consolidate(edition: Edition, reports: list[dict]) -> Consolidated:
    """The sum of each indicator over `reports` (their values: code -> number, "unknown"
    or absent). A report that does not know an indicator is counted in `missing`."""
    out = Consolidated(edition, reports=len(reports))
    for values in reports:
        for code in edition.indicators:
            number = _number(values.get(code))
            if number is None:
                out.missing[code] += 1
            else:
                out.values[code] = out.values.get(code, Decimal(0)) + number
    return out


def change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change from `before` to `now` in per cent, one decimal; None where it has no
    meaning (either unknown, or nothing before)."""
    if now is None or before is None or before == 0:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"))


def kept(consolidated: Consolidated) -> dict:
    """The sums as a district's summary keeps them (JSON): {"reports", "values", "missing"}."""
    def plain(value: Decimal):
        return int(value) if value == value.to_integral_value() else float(value)

    return {"reports": consolidated.reports,
            "values": {code: plain(v) for code, v in consolidated.values.items()},
            "missing": {code: n for code, n in consolidated.missing.items() if n}}


def combine(edition: Edition, parts: list[Consolidated | dict]) -> Consolidated:
    """The sum of several summaries' figures (Consolidated, or as kept): a region's, from
    its districts' approved summaries and its own libraries' approved reports."""
    out = Consolidated(edition)
    for part in parts:
        if isinstance(part, dict):
            part = Consolidated(edition, int(part.get("reports") or 0),
                                {c: _number(v) for c, v in (part.get("values") or {}).items()
                                 if _number(v) is not None},
                                Counter(part.get("missing") or {}))
        out.reports += part.reports
        for code, value in part.values.items():
            if code in edition.indicators:
                out.values[code] = out.values.get(code, Decimal(0)) + value
        for code, n in part.missing.items():
            if code in edition.indicators:
                out.missing[code] += n
    return out
