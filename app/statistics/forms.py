"""The editions of the statistical forms, read from their data files.

One YAML file per edition in the folder forms/ beside this module, named after the
edition's code (6nk-2021.yaml holds the edition "6nk-2021"). A file is checked whole when
it is read: a mistake in it is a FormFileError naming the file and the item, never a
wrong figure later. docs/statistics.md describes the keys.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import get_locale

FORMS_DIR = Path(__file__).with_name("forms")
LANGUAGES = ("ru", "bg", "en")

# An indicator's type -> the units it may be counted in. "count" is whole; "number" takes
# fractions (0.5 of a post); money is in thousands, as the forms ask for it.
TYPES = {
    "count": ("people", "visits", "copies", "records", "documents", "requests", "events",
              "projects", "units", "seats"),
    "number": ("posts",),
    "money": ("thousand_rub", "thousand_bgn"),
    "area": ("m2",),
    "flag": ("yes_no",),
}
WHOLE_TYPES = ("count", "flag")


@functools.lru_cache(maxsize=1)
def _prefill_sources() -> frozenset[str]:
    """What the registry can tell a form: the staff figures in the dashboard's bands
    (app.reports.figures), the outreach points by kind, the events journal's held events."""
    from app.choices import OutreachKind
    from app.reports.figures import AGE_BANDS, SERVICE_BANDS

    staff = {"headcount", "posts", "higher", "higher_library", "secondary", "secondary_library",
             "library_education"}
    return frozenset(
        {f"staff.{name}" for name in staff}
        | {f"staff.age.{band}" for band in AGE_BANDS}
        | {f"staff.service.{band}" for band in SERVICE_BANDS}
        | {"outreach.points", "outreach.readers"} | {f"outreach.points.{kind}" for kind in OutreachKind.codes()}
        | {f"events.{name}" for name in ("held", "children", "youth", "outreach", "online",
                                         "attendance", "attendance.children", "attendance.youth")})


# The key figures a region compares its districts by (app/statistics/ratios.py): each edition's
# `key:` names the indicator that holds each of them, with the unit it must be counted in.
KEY_FIGURES = {"users": "people", "visits": "visits", "loans": "documents", "events": "events", "stock": "copies"}

CODE = re.compile(r"[a-z][a-z0-9_]*")
EDITION_CODE = re.compile(r"[a-z0-9][a-z0-9-]*")


class FormFileError(ValueError):
    """A form file that cannot be used, naming the file and the item at fault."""


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def localized(texts: dict[str, str]) -> str:
    """The text in the current language (English outside a request)."""
    return texts.get(_language()) or texts["en"]


@dataclass(frozen=True)
class Indicator:
    code: str  # stable: a report keeps its values under it
    section: str
    labels: dict[str, str]  # ru, bg, en
    unit: str
    type: str
    line: str | None = None  # the form's own numbering, where it has one
    column: str | None = None
    required: bool = False
    prefill: str | None = None  # what the registry computes it from (app.statistics.forms)
    verified: bool = False  # line, column and label checked against the act itself

    @property
    def label(self) -> str:
        return localized(self.labels)

    @property
    def whole(self) -> bool:
        return self.type in WHOLE_TYPES


@dataclass(frozen=True)
class Section:
    code: str
    titles: dict[str, str]
    indicators: tuple[Indicator, ...]
    # The form's own headings, ru/bg/en, keyed by the numbers its indicators use: a column's
    # heading, and the name of a line that holds several columns (both optional).
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    lines: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return localized(self.titles)

    def column_title(self, column: str) -> str | None:
        """The heading of the form's column `column` in the current language; None when the
        file gives none."""
        texts = self.columns.get(str(column))
        return localized(texts) if texts else None

    def line_title(self, line: str) -> str | None:
        """The name of the form's line `line` in the current language; None when the file
        gives none."""
        texts = self.lines.get(str(line))
        return localized(texts) if texts else None


@dataclass(frozen=True)
class Rule:
    """sum: `whole` equals the sum of `parts`, less those in `minus` (a stock at year end
    is the stock at its start, plus what was added, less what was withdrawn). le: the sum
    of `parts` is at most `whole`."""

    kind: str
    whole: str
    parts: tuple[str, ...]
    minus: tuple[str, ...] = ()

    def total(self, values: dict):
        """The parts' sum from these values (all known)."""
        return sum(-values[p] if p in self.minus else values[p] for p in self.parts)


@dataclass(frozen=True)
class Edition:
    code: str
    country: str
    form: str  # the form's own name: 6-НК
    titles: dict[str, str]
    act: dict[str, str]  # what approved it
    valid_from: int  # the first report year it is for
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    path: Path
    indicators: dict[str, Indicator] = field(default_factory=dict)  # code -> indicator, in form order
    sums: tuple[Rule, ...] = ()  # the sum rules, parts' own totals first
    key: dict[str, str] = field(default_factory=dict)  # key figure (KEY_FIGURES) -> indicator code

    @property
    def title(self) -> str:
        return localized(self.titles)


def load(path: Path) -> Edition:
    """The edition in `path`, checked whole; FormFileError names the file and the item."""
    path = Path(path)

    def fail(item: str, problem: str):
        raise FormFileError(f"{path.name}: {item}: {problem}")

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise FormFileError(f"{path.name}: cannot be read: {error}") from None
    if not isinstance(data, dict):
        fail("file", "is not a mapping of edition, sections and rules")
    _keys(data, {"edition", "sections"}, {"rules", "key"}, "file", fail)

    head = data["edition"]
    _keys(head, {"code", "country", "form", "title", "act", "valid_from"}, set(), "edition", fail)
    code = head["code"]
    if not isinstance(code, str) or not EDITION_CODE.fullmatch(code):
        fail("edition", f"code {code!r} is not lower-case letters, digits and hyphens")
    if path.stem != code:
        fail("edition", f"code {code!r} differs from the file's name ({path.stem}): an edition is found by its code")
    if head["country"] not in ("ru", "bg"):
        fail("edition", f"country {head['country']!r} is not ru or bg")
    if not isinstance(head["valid_from"], int) or isinstance(head["valid_from"], bool):
        fail("edition", "valid_from is not a year")
    titles = _texts(head["title"], "edition title", fail)
    act = _texts(head["act"], "edition act", fail)

    if not isinstance(data["sections"], list) or not data["sections"]:
        fail("sections", "no sections")
    indicators: dict[str, Indicator] = {}
    sections = []
    for number, raw in enumerate(data["sections"], 1):
        item = f"section {number}"
        _keys(raw, {"code", "title", "indicators"}, {"columns", "lines"}, item, fail)
        item = f"section {raw['code']}"
        if any(section.code == str(raw["code"]) for section in sections):
            fail(item, "the code is used twice")
        if not isinstance(raw["indicators"], list) or not raw["indicators"]:
            fail(item, "no indicators")
        own = []
        for position, entry in enumerate(raw["indicators"], 1):
            indicator = _indicator(entry, str(raw["code"]), f"{item}, indicator {position}", fail)
            if indicator.code in indicators:
                fail(f"indicator {indicator.code}", "the code is used twice")
            indicators[indicator.code] = indicator
            own.append(indicator)
        columns = _headings(raw.get("columns"), "column", {i.column for i in own if i.column}, item, fail)
        lines = _headings(raw.get("lines"), "line", {i.line for i in own if i.line}, item, fail)
        sections.append(Section(str(raw["code"]), _texts(raw["title"], f"{item} title", fail), tuple(own),
                                columns, lines))

    rules = tuple(_rule(raw, number, indicators, fail) for number, raw in enumerate(data.get("rules") or [], 1))
    sums = _ordered_sums(rules, fail)
    key = _key(data.get("key") or {}, indicators, fail)
    return Edition(code, head["country"], str(head["form"]), titles, act, head["valid_from"],
                   tuple(sections), rules, path, indicators, sums, key)


def _key(raw, indicators: dict[str, Indicator], fail) -> dict[str, str]:
    """key figure -> the indicator that holds it: a count in the figure's unit."""
    if not isinstance(raw, dict):
        fail("key", "is not a mapping of key figures to indicator codes")
    unknown = sorted(raw.keys() - KEY_FIGURES.keys(), key=str)
    if unknown:
        fail("key", f"unknown key figure {', '.join(map(str, unknown))}: one of {', '.join(KEY_FIGURES)}")
    for name, code in raw.items():
        if code not in indicators:
            fail(f"key {name}", f"unknown indicator {code!r}")
        if indicators[code].type != "count" or indicators[code].unit != KEY_FIGURES[name]:
            fail(f"key {name}", f"{code} is not a count of {KEY_FIGURES[name]}")
    return {name: raw[name] for name in KEY_FIGURES if name in raw}


def _keys(raw, required: set, optional: set, item: str, fail) -> None:
    if not isinstance(raw, dict):
        fail(item, "is not a mapping")
    missing = sorted(required - raw.keys())
    if missing:
        fail(item, f"{', '.join(missing)} missing")
    unknown = sorted(raw.keys() - required - optional, key=str)
    if unknown:
        fail(item, f"unknown key {', '.join(map(str, unknown))}")


def _texts(raw, item: str, fail) -> dict[str, str]:
    if not isinstance(raw, dict):
        fail(item, "is not a mapping of ru, bg and en")
    for language in LANGUAGES:
        if not isinstance(raw.get(language), str) or not raw[language].strip():
            fail(item, f"no {language} text")
    unknown = sorted(raw.keys() - set(LANGUAGES), key=str)
    if unknown:
        fail(item, f"unknown language {', '.join(map(str, unknown))}")
    return {language: raw[language].strip() for language in LANGUAGES}


def _headings(raw, kind: str, used: set[str], item: str, fail) -> dict[str, dict[str, str]]:
    """A section's `columns:` or `lines:`: number -> ru, bg and en text. Only the numbers its
    own indicators are in: a heading of nothing is a mistyped number."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        fail(item, f"{kind}s is not a mapping of {kind} numbers to ru, bg and en texts")
    headings: dict[str, dict[str, str]] = {}
    for key, texts in raw.items():
        number = str(key)
        if number not in used:
            known = ", ".join(sorted(used, key=lambda n: (len(n), n))) or "none"
            hint = f" (quote it: {kind} numbers are text, \"01\")" if isinstance(key, int) else ""
            fail(item, f"{kind} {number!r} in {kind}s heads no indicator of the section{hint}; "
                       f"its indicators' {kind}s: {known}")
        if number in headings:
            fail(item, f"{kind} {number!r} is given twice in {kind}s")
        headings[number] = _texts(texts, f"{item} {kind} {number}", fail)
    return headings


def _indicator(raw, section: str, item: str, fail) -> Indicator:
    _keys(raw, {"code", "label", "unit", "type"}, {"line", "column", "required", "prefill", "verified"}, item, fail)
    code = raw["code"]
    if not isinstance(code, str) or not CODE.fullmatch(code):
        fail(item, f"code {code!r} is not lower-case letters, digits and underscores")
    item = f"indicator {code}"
    labels = _texts(raw["label"], f"{item} label", fail)
    if raw["type"] not in TYPES:
        fail(item, f"type {raw['type']!r} is not one of {', '.join(TYPES)}")
    if raw["unit"] not in TYPES[raw["type"]]:
        fail(item, f"unit {raw['unit']!r} is not one of a {raw['type']}'s: {', '.join(TYPES[raw['type']])}")
    for key in ("required", "verified"):
        if not isinstance(raw.get(key, False), bool):
            fail(item, f"{key} is not true or false")
    prefill = raw.get("prefill")
    if prefill is not None and prefill not in _prefill_sources():
        fail(item, f"prefill {prefill!r} is not a source the registry has (app/statistics/forms.py)")
    line, column = (None if raw.get(key) is None else str(raw[key]) for key in ("line", "column"))
    return Indicator(code, section, labels, raw["unit"], raw["type"], line, column,
                     raw.get("required", False), prefill, raw.get("verified", False))


def _rule(raw, number: int, indicators: dict[str, Indicator], fail) -> Rule:
    item = f"rule {number}"
    if not isinstance(raw, dict):
        fail(item, "is not a mapping")
    if "sum" in raw:
        _keys(raw, {"sum", "parts"}, set(), item, fail)
        kind, whole, parts = "sum", raw["sum"], raw["parts"]
    elif "le" in raw:
        _keys(raw, {"le", "whole"}, set(), item, fail)
        kind, whole, parts = "le", raw["whole"], raw["le"]
    else:
        fail(item, "is neither a sum (sum, parts) nor a part of a whole (le, whole)")
    parts = tuple(parts) if isinstance(parts, list) else (parts,)
    item = f"rule {number} ({kind} {whole})"
    if not parts:
        fail(item, "has no parts")
    # "-withdrawn": a part a sum takes away
    minus = tuple(p[1:] for p in parts if isinstance(p, str) and p.startswith("-"))
    if minus and kind != "sum":
        fail(item, "only a sum takes a part away (-code)")
    parts = tuple(p[1:] if isinstance(p, str) and p.startswith("-") else p for p in parts)
    for code in (whole, *parts):
        if code not in indicators:
            fail(item, f"unknown indicator {code!r}")
    if whole in parts or len(set(parts)) != len(parts):
        fail(item, "names an indicator twice")
    first = indicators[whole]
    for code in parts:
        if indicators[code].type == "flag" or first.type == "flag":
            fail(item, f"{code}: a yes/no flag is no part of a sum")
        if indicators[code].unit != first.unit:
            fail(item, f"{code} is in {indicators[code].unit}, {whole} in {first.unit}")
    return Rule(kind, whole, parts, minus)


def _ordered_sums(rules, fail) -> tuple[Rule, ...]:
    """The sum rules, a total's parts' own sums before it; a total that is, through its
    parts, a part of itself is refused."""
    by_total: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.kind == "sum":
            by_total.setdefault(rule.whole, []).append(rule)
    ordered, done, path = [], set(), []

    def visit(total):
        if total in path:
            fail(f"rule sum {total}", f"the sums go round: {' -> '.join(path[path.index(total):] + [total])}")
        if total in done or total not in by_total:
            return
        path.append(total)
        for rule in by_total[total]:
            for part in rule.parts:
                visit(part)
        path.pop()
        done.add(total)
        ordered.extend(by_total[total])

    for total in by_total:
        visit(total)
    return tuple(ordered)


@functools.lru_cache(maxsize=4)
def _editions(directory: str) -> tuple[Edition, ...]:
    found = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        edition = load(path)
        found[edition.code] = edition  # the file's name is its code: no two alike
    return tuple(sorted(found.values(), key=lambda e: (e.country, e.valid_from, e.code)))


def editions(directory: Path | str | None = None) -> list[Edition]:
    """Every edition, by country and year (read once per process)."""
    return list(_editions(str(directory or FORMS_DIR)))


def edition(code: str, directory: Path | str | None = None) -> Edition:
    """The edition named `code`; LookupError when there is none."""
    for found in editions(directory):
        if found.code == code:
            return found
    raise LookupError(f"no form edition {code!r}")


def edition_for(country: str, year: int, directory: Path | str | None = None) -> Edition | None:
    """The edition a new report of `year` is filled in: the country's latest valid by then."""
    valid = [e for e in editions(directory) if e.country == country and e.valid_from <= year]
    return valid[-1] if valid else None
