"""A statistical report's life: what it may go through, by whom, and what each step needs.

draft → submitted → approved, or → returned (with a comment) and back to submitted once
fixed; an approved report is reopened (back to returned) with a reason. Branch staff and
methodologists fill and submit; the director of the district, or of the region above it,
approves, returns and reopens. A report is changed only while it is a draft or returned.

Submission is refused while the figures have an error (app.statistics.checks) or a warning
without a note. Every step writes a history row (stat_report_step) in the same transaction
as the status, and both go through the audit trail like every other write. The screens and
the tests call only this module for these rules.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext, lazy_gettext

from app.security.roles import ADMIN, BRANCH, DIRECTOR, METHODOLOGIST

from . import checks, letters
from .forms import Edition, edition as edition_named, edition_for

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
EDITABLE = (DRAFT, RETURNED)
UNKNOWN = "unknown"  # a value the library does not know: not 0, not left empty
FILLERS = (BRANCH, METHODOLOGIST)  # who fills a report and submits it
CHECKERS = (DIRECTOR,)  # who approves, returns and reopens


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    source: tuple[str, ...]  # the statuses it starts from
    target: str
    roles: tuple[str, ...]
    comment: str | None = None  # what the required comment is called, where one is required


STEPS = {step.name: step for step in (
    Step("submit", lazy_gettext("Submit"), EDITABLE, SUBMITTED, FILLERS),
    Step("approve", lazy_gettext("Approve"), (SUBMITTED,), APPROVED, CHECKERS),
    Step("return", lazy_gettext("Return for correction"), (SUBMITTED,), RETURNED, CHECKERS,
         lazy_gettext("What to correct")),
    Step("reopen", lazy_gettext("Reopen"), (APPROVED,), RETURNED, CHECKERS, lazy_gettext("Reason for reopening")),
)}


class Refused(Exception):
    """A step the report cannot take now; its text says why, in the user's language."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.message, self.problems = message, problems or []

    def __str__(self):
        return self.message


def country_of(tenant) -> str:
    """The country whose form a tenant's libraries fill: Bulgarian-speaking tenants are in Bulgaria."""
    return "bg" if getattr(tenant.default_locale, "name", tenant.default_locale) == "bg" else "ru"


def edition_for_library(library, year: int) -> Edition | None:
    """The edition a new report of this library for `year` is filled in."""
    return edition_for(country_of(library.tenant), year)


def status_of(report) -> str:
    return getattr(report.status, "name", report.status) or DRAFT


def editable(report) -> bool:
    """Are the report's figures and notes open to change?"""
    return status_of(report) in EDITABLE


def role_names(user) -> set[str]:
    return {role.name for role in getattr(user, "roles", None) or ()}


def allowed(step: Step, roles: set[str]) -> bool:
    return ADMIN in roles or bool(set(step.roles) & roles)


def available(report, roles: set[str]) -> list[Step]:
    """The steps the user may take with the report now (their buttons)."""
    return [s for s in STEPS.values() if status_of(report) in s.source and allowed(s, roles)]


# -- the figures ------------------------------------------------------------------

def number(value):
    """A stored value as the checks count it: None for unknown or empty."""
    if value is None or value == UNKNOWN:
        return None
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def stored(value: Decimal):
    """A figure as the JSON column keeps it: a whole number as one, a fraction as a decimal."""
    return int(value) if value == value.to_integral_value() else float(value)


def with_totals(edition: Edition, values: dict) -> dict:
    """The values with every total whose parts are all known set to their sum: a total the
    form computes is never typed (the entry screen shows it read-only)."""
    out = dict(values)
    for rule in edition.sums:  # the parts' own totals first
        parts = [number(out.get(p)) for p in rule.parts]
        if all(p is not None for p in parts):
            out[rule.whole] = stored(Decimal(rule.total(dict(zip(rule.parts, parts)))))
    return out


def computed_totals(edition: Edition) -> set[str]:
    return {rule.whole for rule in edition.sums}


def edition_of(report) -> Edition:
    return edition_named(report.edition)


def last_year_values(report) -> dict:
    """The same library's figures of the year before, from its report, if it has one."""
    previous = report.previous()
    return dict(previous.values or {}) if previous is not None else {}


def problems(report, last_year: dict | None = None) -> list[checks.Problem]:
    """The checks' problems of the report's stored figures; a warning with a note is still
    listed (the note answers it)."""
    edition = edition_of(report)
    values = report.values or {}
    known = {code: number(v) for code, v in values.items()}
    before = {code: number(v) for code, v in (last_year if last_year is not None
                                                else last_year_values(report)).items()}
    found = checks.check(edition, known, before)
    # An explicit "unknown" answers a required field: the library says it does not know.
    return [p for p in found if not (p.kind == "required" and values.get(p.code) == UNKNOWN)]


def unexplained(report, found: list[checks.Problem]) -> list[checks.Problem]:
    notes = report.notes or {}
    return [p for p in checks.warnings(found) if not (notes.get(p.code) or "").strip()]


def blocking(report, found: list[checks.Problem] | None = None) -> list[checks.Problem]:
    """What stops submission: every error, and every warning without a note."""
    found = problems(report) if found is None else found
    return checks.errors(found) + unexplained(report, found)


# -- the steps ----------------------------------------------------------------------

def take(report, name: str, user, comment: str | None = None):
    """Take step `name` of the report as `user`: the status changes and a history row is
    added, in the session (the caller commits both). Refused, with the reason, when the
    step does not start from the report's status, the user's role may not take it, the
    comment it needs is missing or the figures are not ready to be submitted."""
    from app.records.stat_report import StatReportStatus

    step = STEPS.get(name)
    if step is None:
        raise Refused(gettext("This step is unknown."))
    if not allowed(step, role_names(user)):
        raise Refused(gettext("Your role does not allow this step."))
    before = status_of(report)
    if before not in step.source:
        raise Refused(gettext("The report's status is “%(status)s”: “%(step)s” is not possible now.",
                              status=StatReportStatus[before], step=step.label))
    comment = (comment or "").strip() or None
    if step.comment and not comment:
        raise Refused(gettext("Fill in “%(what)s”: this step needs it.", what=step.comment))
    if step.name == "submit":
        stopping = blocking(report)
        if stopping:
            raise Refused(gettext("The report cannot be submitted until these are resolved:"), stopping)
    move(report, step, user, comment)
    letters.tell(report, step, user, comment)  # sent once the step is committed
    return step


def move(report, step: Step, user, comment: str | None = None) -> None:
    """Record the step: the report's new status and its history row (no checks: take() has
    made them; the demo's reports are placed in their statuses with it)."""
    from app.records.stat_report import StatReportStatus, StatReportStep

    before = status_of(report)
    report.status = StatReportStatus[step.target]
    report.steps.append(StatReportStep(
        library=report.library, at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
        user_id=getattr(user, "id", None), from_status=StatReportStatus[before],
        to_status=StatReportStatus[step.target], comment=comment))


def started(report, user) -> None:
    """The first history row of a new report: created as a draft."""
    from app.records.stat_report import StatReportStatus, StatReportStep

    report.steps.append(StatReportStep(
        library=report.library, at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
        user_id=getattr(user, "id", None), from_status=None, to_status=StatReportStatus.draft))
