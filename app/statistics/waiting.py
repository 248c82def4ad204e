"""What waits for a user's own action in the year's statistics, for their dashboard: the
reports of their own district (or their own library) to start, to fill, returned to them,
to check; each with its date and whether it is late.

Who does what is the workflow's (app/statistics/workflow.py): fillers start, fill and
correct; checkers check. Read through the session's scope, like every list.

A district's summary waits for its district's directors and methodologists to submit it
once every library's report is approved, or its date is near (SOON), and when the region
returned it; a submitted one waits for the region's directors and methodologists to check.
Its date is the region's for the districts' summaries.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import workflow

TO_START = lazy_gettext("To start")
TO_FILL = lazy_gettext("To fill in")
RETURNED = lazy_gettext("Returned for correction")
TO_CHECK = lazy_gettext("To check")
TO_SUBMIT = lazy_gettext("To submit")
SOON = datetime.timedelta(days=14)  # a summary's date this near: it waits even before every report is in


@dataclass(frozen=True)
class Waiting:
    what: str
    library: object
    year: int
    report: object | None = None  # None: not started
    due: datetime.date | None = None
    late: bool = False
    comment: str | None = None  # why it was returned
    summary: bool = False  # a district's summary: `library` is then the district


def waiting(session, user, node_id: int | None, library_id: int | None,
            today: datetime.date | None = None) -> list[Waiting]:
    """The user's items, late ones first."""
    from app.choices import LibraryStatus
    from app.models import Library, Tenant
    from app.records.stat_deadline import due_on
    from app.records.stat_report import StatReport

    if node_id is None:  # Admin: nobody's report waits for them
        return []
    today = today or datetime.date.today()
    year = today.year - 1  # the year being reported on
    roles = workflow.role_names(user)
    fills = bool(roles & set(workflow.FILLERS))
    checks = bool(roles & set(workflow.CHECKERS))
    summaries = _summaries(session, user, roles, node_id, library_id, year, today)
    if not (fills or checks):
        return _sorted(summaries)
    where = [Library.id == library_id] if library_id is not None else [Library.tenant_id == node_id]
    libraries = session.scalars(select(Library).where(*where).order_by(Library.name)).all()
    by_id = {lib.id: lib for lib in libraries}
    # The same statements whatever the number of libraries and reports (a dashboard's rule).
    reports = session.scalars(select(StatReport).options(selectinload(StatReport.steps))
                              .where(StatReport.library_id.in_(list(by_id)))).all()
    node = session.get(Tenant, node_id)
    due = due_on(session, node, year, "libraries") if node is not None else None
    late = due is not None and today > due
    out = []
    this_year = {r.library_id: r for r in reports if r.year == year}
    for report in reports:
        status = workflow.status_of(report)
        current = report.year == year
        if fills and status == workflow.RETURNED:
            returned = [s for s in report.steps if s.to_status.name == workflow.RETURNED]
            out.append(Waiting(RETURNED, by_id[report.library_id], report.year, report, due if current else None,
                               late and current, returned[-1].comment if returned else None))
        elif fills and status == workflow.DRAFT and current:
            out.append(Waiting(TO_FILL, by_id[report.library_id], report.year, report, due, late))
        elif checks and status == workflow.SUBMITTED:
            out.append(Waiting(TO_CHECK, by_id[report.library_id], report.year, report))
    if fills:
        # A report already begun waits whatever became of its library; a new one, for an open one only.
        out += [Waiting(TO_START, lib, year, None, due, late) for lib in libraries
                if lib.id not in this_year and lib.status is LibraryStatus.active]
    return _sorted(out + summaries)


def _sorted(items: list[Waiting]) -> list[Waiting]:
    return sorted(items, key=lambda w: (not w.late, w.year, str(w.what), w.library.name))


def _summaries(session, user, roles, node_id, library_id, year, today) -> list[Waiting]:
    """The district summaries that wait for the user: to submit or correct (the district's
    own), to check (the region's districts')."""
    from app.models import Tenant
    from app.records.stat_deadline import due_dates, due_on
    from app.records.stat_report import StatReportStatus
    from app.records.stat_summary import StatSummary

    node = session.get(Tenant, node_id)
    if library_id is not None or node is None or not roles & set(workflow.SUMMARY_ROLES):
        return []
    out = []
    if node.kind.name == "district":
        found = workflow.summary_of(node, year)
        status = workflow.status_of(found) if found is not None else workflow.DRAFT
        due = due_on(session, node, year, "districts")
        late = due is not None and today > due
        if status == workflow.RETURNED:
            returned = [s for s in found.steps if s.to_status.name == workflow.RETURNED]
            out.append(Waiting(RETURNED, node, year, found, due, late, returned[-1].comment if returned else None,
                               summary=True))
        elif status == workflow.DRAFT and (
                not workflow.missing_libraries(node.id, year) or (due is not None and today + SOON >= due)):
            out.append(Waiting(TO_SUBMIT, node, year, found, due, late, summary=True))
    else:
        districts = {t.id: t for t in node.children}
        submitted = session.scalars(select(StatSummary).options(selectinload(StatSummary.steps)).where(
            StatSummary.tenant_id.in_(list(districts)), StatSummary.status == StatReportStatus.submitted)).all()
        dues = {one: due_dates(session, list(districts.values()), one, "districts")
                for one in {found.year for found in submitted}}  # a query a year, not a district
        for found in submitted:
            district = districts[found.tenant_id]
            due = dues[found.year][district.id]
            handed = [s.at.date() for s in found.steps if s.to_status.name == workflow.SUBMITTED]
            # Late: handed in after its date (the region checks those first).
            late = due is not None and bool(handed) and handed[-1] > due
            out.append(Waiting(TO_CHECK, district, found.year, found, due, late, summary=True))
    return out
