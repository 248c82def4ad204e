"""A statistical report's life: what it may go through, by whom, and what each step needs.

draft → submitted → approved, or → returned (with a comment) and back to submitted once
fixed; an approved report is reopened (back to returned) with a reason. Branch staff and
methodologists fill and submit; the director of the district, or of the region above it,
approves, returns and reopens. A report is changed only while it is a draft or returned.

Submission is refused while the figures have an error (app.statistics.checks) or a warning
without a note. Every step writes a history row (stat_report_step) in the same transaction
as the status, and both go through the audit trail like every other write. The screens and
the tests call only this module for these rules: refusal() says why a step would be refused,
take() enforces it, and the screens show it beside the step's button, disabled.

A district's summary of the year (app/records/stat_summary.py) goes the same way with its
own table of steps (SUMMARY_STEPS), taken by the same code: the district's director or
methodologist submits it once every active library of the district has an approved report
(its figures are then kept as they are); a director or methodologist of the region above
returns it with a comment, approves it, or reopens it with a reason. Where a step is taken
matters as much as the role: the district acts on its own summary only as its submitter,
the checker sits in a tenant above it. While a district's summary is submitted or approved,
its libraries' reports of that year take no step and change no figure.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import select

from app.extensions import db
from app.security.roles import ADMIN, BRANCH, DIRECTOR, METHODOLOGIST

from . import checks, letters
from .forms import Edition, edition as edition_named, edition_for

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
EDITABLE = (DRAFT, RETURNED)
UNKNOWN = "unknown"  # a value the library does not know: not 0, not left empty
# Branch staff fill their library's report; a district's director or methodologist fills any
# of its libraries' and checks them (returns, approves, reopens).
FILLERS = (BRANCH, METHODOLOGIST, DIRECTOR)
CHECKERS = (DIRECTOR, METHODOLOGIST)
# A district's summary: submitted by the district, checked by the region; the roles are the
# same at both levels, so where the user is attached decides (Step.level).
SUMMARY_ROLES = (DIRECTOR, METHODOLOGIST)
OWN, ABOVE = "own", "above"  # the step's tenant itself; a tenant above it


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    source: tuple[str, ...]  # the statuses it starts from
    target: str
    roles: tuple[str, ...]
    comment: str | None = None  # what the required comment is called, where one is required
    level: str | None = None  # where the user must be attached (OWN, ABOVE); None: anywhere in scope


def _steps(fillers, checkers, fill_level=None, check_level=None) -> dict[str, Step]:
    return {step.name: step for step in (
        Step("submit", lazy_gettext("Submit"), EDITABLE, SUBMITTED, fillers, level=fill_level),
        Step("approve", lazy_gettext("Approve"), (SUBMITTED,), APPROVED, checkers, level=check_level),
        Step("return", lazy_gettext("Return for correction"), (SUBMITTED,), RETURNED, checkers,
             lazy_gettext("What to correct"), check_level),
        Step("reopen", lazy_gettext("Reopen"), (APPROVED,), RETURNED, checkers,
             lazy_gettext("Reason for reopening"), check_level),
    )}


STEPS = _steps(FILLERS, CHECKERS)  # a library's report
SUMMARY_STEPS = _steps(SUMMARY_ROLES, SUMMARY_ROLES, OWN, ABOVE)  # a district's summary


def is_summary(thing) -> bool:
    return getattr(thing, "__tablename__", None) == "stat_summary"


def steps_of(thing) -> dict[str, Step]:
    return SUMMARY_STEPS if is_summary(thing) else STEPS


@dataclass(frozen=True)
class Waiting:
    """A library whose report a district's summary waits for, as a refusal's problem."""
    code: str  # "library.<id>"
    message: str  # its name
    blocks: bool = True


class Refused(Exception):
    """A step the report cannot take now; its text says why, in the user's language."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.message, self.problems = message, problems or []

    def __str__(self):
        return self.message

    @property
    def brief(self) -> str:
        """The reason in one line, as a disabled button's note says it: the checks' problems
        counted (errors to fix, changes to explain), else the message itself."""
        if not self.problems:
            return self.message
        errors = sum(1 for p in self.problems if p.blocks)
        changes = len(self.problems) - errors
        if errors and changes:
            return gettext("%(errors)s and %(changes)s before submitting.",
                           errors=ngettext("Fix %(num)d error", "Fix %(num)d errors", errors),
                           changes=ngettext("explain %(num)d change in a note",
                                            "explain %(num)d changes in notes", changes))
        if errors:
            return ngettext("Fix %(num)d error before submitting.", "Fix %(num)d errors before submitting.", errors)
        return ngettext("Explain %(num)d change in a note before submitting.",
                        "Explain %(num)d changes in notes before submitting.", changes)

    def fields(self, edition: Edition, at_most: int = 3) -> list[tuple[str, str]]:
        """(code, name as the form names it) of the first fields the problems are about,
        errors first, each once: where a disabled button's note sends the user."""
        codes = []
        for problem in self.problems:
            if problem.code not in codes and problem.code in edition.indicators:
                codes.append(problem.code)
        return [(code, checks.field_name(edition.indicators[code])) for code in codes[:at_most]]


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


def allowed(step: Step, roles: set[str], user=None, thing=None) -> bool:
    return ADMIN in roles or (bool(set(step.roles) & roles) and placed(step, user, thing))


def placed(step: Step, user, thing) -> bool:
    """Is the user attached where the step is taken: the thing's own tenant (OWN), or one
    above it (ABOVE)? Branch staff are attached to a library, at neither."""
    if step.level is None:
        return True
    if user is None or thing is None or getattr(user, "library_id", None) is not None:
        return False
    node = getattr(user, "tenant_id", None)
    if step.level == OWN:  # a summary not yet flushed knows its tenant, not yet its id
        return node is not None and node == (thing.tenant_id if thing.tenant_id is not None else thing.tenant.id)
    above, tenant = set(), thing.tenant
    while tenant is not None and tenant.parent_id is not None:
        above.add(tenant.parent_id)
        tenant = tenant.parent
    return node in above


def available(thing, roles: set[str], user=None) -> list[Step]:
    """The steps the user may take with the report or summary now (their buttons)."""
    return [s for s in steps_of(thing).values()
            if status_of(thing) in s.source and allowed(s, roles, user, thing)]


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
    found = checks.check(edition, known, before, threshold=threshold_of(report))
    # An explicit "unknown" answers a required field: the library says it does not know.
    return [p for p in found if not (p.kind == "required" and values.get(p.code) == UNKNOWN)]


def threshold_of(report) -> float:
    """The change from last year beyond which a figure needs a note: its region's, else 20 %."""
    tenant = report.library.tenant if report.library is not None else None
    region = tenant.parent if tenant is not None and tenant.parent_id is not None else tenant
    percent = getattr(region, "stat_threshold", None)
    return percent / 100 if percent else checks.THRESHOLD


def unexplained(report, found: list[checks.Problem]) -> list[checks.Problem]:
    notes = report.notes or {}
    return [p for p in checks.warnings(found) if not (notes.get(p.code) or "").strip()]


def blocking(report, found: list[checks.Problem] | None = None) -> list[checks.Problem]:
    """What stops submission: every error, and every warning without a note."""
    found = problems(report) if found is None else found
    return checks.errors(found) + unexplained(report, found)


# -- the steps ----------------------------------------------------------------------

def held(report) -> str | None:
    """Why a library's report takes no step now: its district's summary of the year is with
    the region (submitted) or approved by it; None when it is not."""
    from app.records.stat_summary import StatSummary

    found = db.session.scalar(select(StatSummary.status).where(
        StatSummary.tenant_id == report.tenant_id, StatSummary.year == report.year))
    status = getattr(found, "name", found)
    if status == SUBMITTED:
        return gettext("The district's summary is submitted: the region must return it first.")
    if status == APPROVED:
        return gettext("The district's summary is approved: the region must reopen it first.")
    return None


def refusal(thing, name: str, user, comment: str | None = None, found: list | None = None,
            asking: bool = False) -> Refused | None:
    """Why step `name` of a report or a district's summary would be refused now, None when it
    would not: the one rule take() enforces and the screens show beside a disabled button.
    Refused when the step does not start from the status, the user's role or place may not
    take it, the comment it needs is missing, or what is submitted is not ready. `asking`:
    a screen asks before the comment is typed, so a missing one does not count; `found`: the
    report's problems, when the caller has them already."""
    summary = is_summary(thing)
    step = steps_of(thing).get(name)
    if step is None:
        return Refused(gettext("This step is unknown."))
    roles = role_names(user)
    if not (ADMIN in roles or set(step.roles) & roles):
        return Refused(gettext("Your role does not allow this step."))
    if not allowed(step, roles, user, thing):
        return Refused(gettext("A district's summary is submitted by the district and checked by its region: "
                               "“%(step)s” is not yours to take.", step=step.label))
    before = status_of(thing)
    if before not in step.source:
        from app.records.stat_report import StatReportStatus

        message = gettext("The summary's status is “%(status)s”: “%(step)s” is not possible now.") if summary \
            else gettext("The report's status is “%(status)s”: “%(step)s” is not possible now.")
        return Refused(message % {"status": StatReportStatus[before], "step": step.label})
    comment = (comment or "").strip() or None
    if step.comment and not comment and not asking:
        return Refused(gettext("Fill in “%(what)s”: this step needs it.", what=step.comment))
    if not summary:
        reason = held(thing)
        if reason:
            return Refused(reason)
    if step.name == "submit" and summary:
        waiting_for = missing_libraries(thing.tenant_id, thing.year)
        if waiting_for:
            return Refused(gettext("The summary cannot be submitted until every library's report of %(year)d "
                                   "is approved. Not approved yet: %(libraries)s.", year=thing.year,
                                   libraries=", ".join(lib.name for lib in waiting_for)),
                           [Waiting(f"library.{lib.id}", lib.name) for lib in waiting_for])
    elif step.name == "submit":
        stopping = blocking(thing, found)
        if stopping:
            return Refused(gettext("The report cannot be submitted until these are resolved:"), stopping)
    return None


def take(thing, name: str, user, comment: str | None = None):
    """Take step `name` of a report or a district's summary as `user`: the status changes
    and a history row is added, in the session (the caller commits both). Refused, with the
    reason, as refusal() says."""
    refused = refusal(thing, name, user, comment)
    if refused is not None:
        raise refused
    step = steps_of(thing)[name]
    if step.name == "submit" and is_summary(thing):
        thing.values = snapshot(thing.tenant_id, thing.year)
    comment = (comment or "").strip() or None
    move(thing, step, user, comment)
    letters.tell(thing, step, user, comment)  # sent once the step is committed
    return step


def _history(thing, user, before, after, comment=None):
    from app.records.stat_report import StatReportStatus, StatReportStep
    from app.records.stat_summary import StatSummaryStep

    row = dict(at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None), user_id=getattr(user, "id", None),
               from_status=StatReportStatus[before] if before else None, to_status=StatReportStatus[after],
               comment=comment)
    thing.steps.append(StatSummaryStep(tenant_id=thing.tenant_id, **row) if is_summary(thing)
                       else StatReportStep(library=thing.library, **row))


def move(thing, step: Step, user, comment: str | None = None) -> None:
    """Record the step: the new status and its history row (no checks: take() has made
    them; the demo's reports and summaries are placed in their statuses with it)."""
    from app.records.stat_report import StatReportStatus

    before = status_of(thing)
    thing.status = StatReportStatus[step.target]
    _history(thing, user, before, step.target, comment)


def started(thing, user) -> None:
    """The first history row of a new report or summary: created as a draft."""
    _history(thing, user, None, DRAFT)


# -- a district's summary ----------------------------------------------------------------

def missing_libraries(district_id: int, year: int) -> list:
    """The district's active libraries without an approved report of `year`."""
    from app.choices import LibraryStatus
    from app.models import Library
    from app.records.stat_report import StatReport, StatReportStatus

    approved = select(StatReport.library_id).where(
        StatReport.tenant_id == district_id, StatReport.year == year, StatReport.status == StatReportStatus.approved)
    return db.session.scalars(select(Library).where(
        Library.tenant_id == district_id, Library.status == LibraryStatus.active,
        Library.id.not_in(approved)).order_by(Library.name)).all()


def snapshot(district_id: int, year: int) -> dict:
    """The district's figures of `year` as its summary keeps them: per edition, summed
    over the approved reports (app.statistics.summary.kept)."""
    from app.records.stat_report import StatReport, StatReportStatus

    from .summary import consolidate, kept

    by_edition: dict[str, list] = {}
    for report in db.session.scalars(select(StatReport).where(
            StatReport.tenant_id == district_id, StatReport.year == year,
            StatReport.status == StatReportStatus.approved).order_by(StatReport.id)):
        by_edition.setdefault(report.edition, []).append(report.values or {})
    return {code: kept(consolidate(edition_named(code), values)) for code, values in by_edition.items()}


def summary_of(district, year: int, create: bool = False, user=None):
    """The district's summary of `year` (read through the session's scope); with `create`,
    a new draft, started by `user`, when it has none yet."""
    from app.records.stat_report import StatReportStatus
    from app.records.stat_summary import StatSummary

    found = db.session.scalar(select(StatSummary).where(StatSummary.tenant_id == district.id,
                                                        StatSummary.year == year))
    if found is None and create:
        found = StatSummary(tenant=district, year=year, status=StatReportStatus.draft, values={})
        started(found, user)
        db.session.add(found)
        db.session.flush()  # its id and tenant_id, which the checks of its first step read
    return found
