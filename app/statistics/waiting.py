"""What waits for a user's own action in the year's statistics, for their dashboard: the
reports of their own district (or their own library) to start, to fill, returned to them,
to check; each with its date and whether it is late.

Who does what is the workflow's (app/statistics/workflow.py): fillers start, fill and
correct; checkers check. Read through the session's scope, like every list.
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


@dataclass(frozen=True)
class Waiting:
    what: str
    library: object
    year: int
    report: object | None = None  # None: not started
    due: datetime.date | None = None
    late: bool = False
    comment: str | None = None  # why it was returned


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
    if not (fills or checks):
        return []
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
    return sorted(out, key=lambda w: (not w.late, w.year, str(w.what), w.library.name))
