"""Who is told of a report's step by e-mail (app/mail.py), and what: the person whose
action it now waits for, in their own language.

submitted          the directors of the report's district (else of its region): to check
returned, reopened the person who submitted it (else the district's fillers): to correct
An approval waits for nobody's action: no letter.

A district's summary goes the same way a level up:
submitted          the directors of the region above: to check
returned, reopened the person who submitted it (else the district's directors and methodologists)
"""
from __future__ import annotations

from flask import has_request_context, url_for
from flask_babel import gettext
from sqlalchemy import select

from app import mail
from app.extensions import db
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST


def _accounts(role: str, *, tenant_id=None, library_id=None):
    from flask_appbuilder.security.sqla.models import Role

    from app.security.models import Account

    stmt = select(Account).where(Account.active, Account.roles.any(Role.name == role))
    stmt = stmt.where(Account.library_id == library_id) if library_id is not None \
        else stmt.where(Account.tenant_id == tenant_id, Account.library_id.is_(None))
    return db.session.scalars(stmt).all()


def _checkers(report) -> list:
    tenant = report.library.tenant
    return _accounts(DIRECTOR, tenant_id=tenant.id) or \
        (_accounts(DIRECTOR, tenant_id=tenant.parent_id) if tenant.parent_id else [])


def _fillers(report) -> list:
    submitter = _submitter(report)
    if submitter is not None:
        return [submitter]
    return _accounts(BRANCH, library_id=report.library_id) or \
        _accounts(METHODOLOGIST, tenant_id=report.tenant_id)


def _submitter(thing):
    from app.security.models import Account

    submitted = [s for s in thing.steps if s.to_status.name == "submitted" and s.user_id is not None]
    if submitted:
        account = db.session.get(Account, submitted[-1].user_id)
        if account is not None and account.active:
            return account
    return None


def _summary_readers(summary, target: str) -> list:
    if target == "submitted":
        parent = summary.tenant.parent_id
        return _accounts(DIRECTOR, tenant_id=parent) if parent else []
    submitter = _submitter(summary)
    return [submitter] if submitter is not None else \
        _accounts(DIRECTOR, tenant_id=summary.tenant_id) + _accounts(METHODOLOGIST, tenant_id=summary.tenant_id)


def tell(report, step, user, comment: str | None) -> int:
    """Hand the letters of `step` (of a report or a district's summary) to the session's
    next commit; how many."""
    from .workflow import is_summary

    if not mail.enabled() or step.target not in ("submitted", "returned"):
        return 0
    summary = is_summary(report)
    if summary:
        readers = _summary_readers(report, step.target)
    else:
        readers = _checkers(report) if step.target == "submitted" else _fillers(report)
    readers = [r for r in readers if r.id != getattr(user, "id", None)]
    if not has_request_context():
        link = ""
    elif summary:
        link = url_for("StatSummaryView.report", pk=report.tenant_id, year=report.year, _external=True)
    else:
        link = url_for("StatReportView.show", pk=report.id, _external=True)
    who = f"{user.first_name} {user.last_name}".strip() if user is not None else ""

    def subject():
        if step.target == "submitted":
            return gettext("To check: %(report)s", report=report)
        return gettext("Returned for correction: %(report)s", report=report)

    def body():
        lines = [gettext("%(who)s: “%(step)s”.", who=who, step=step.label)]
        if comment:
            lines += ["", f"{step.comment}: {comment}"]
        if link:
            lines += ["", gettext("The summary: %(link)s", link=link) if summary
                      else gettext("The report: %(link)s", link=link)]
        return "\n".join(lines)

    return mail.send_after_commit(db.session, [mail.letter(r, subject, body) for r in readers])
