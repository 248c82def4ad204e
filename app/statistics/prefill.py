"""What the registry already knows of a library's year, for the indicators a form edition
marks with `prefill:` (forms.py): staff from the staff records, outreach points from theirs,
events from the events journal.

A prefilled value is a suggestion shown beside the field with where it comes from; the
person filling the report may keep it or type another, with a note. Staff and outreach
are as the registry holds them now (it keeps no history of them): the bands of age and
length of service are counted at the end of the report's year.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.choices import Audience, Education
from app.reports.figures import HIGHER, LIBRARY_EDUCATION, years_before

from .forms import Edition

SOURCES = {
    "staff": _l("the staff records"),
    "outreach": _l("the outreach points"),
    "events": _l("the events journal"),
}


@dataclass(frozen=True)
class Suggestion:
    value: int | float
    source: str  # "staff", "outreach", "events": what it was counted from

    @property
    def source_label(self) -> str:
        return str(SOURCES[self.source])


def suggestions(session, edition: Edition, library_id: int, year: int) -> dict[str, Suggestion]:
    """Indicator code -> what the registry counts for it, for `library_id` in `year`, for
    the indicators of `edition` that name a source. Read through the session's scope."""
    wanted = {i.code: i.prefill for i in edition.indicators.values() if i.prefill}
    if not wanted:
        return {}
    figures: dict[str, int | float] = {}
    groups = {source.split(".", 1)[0] for source in wanted.values()}
    if "staff" in groups:
        figures.update(_staff(session, library_id, year))
    if "outreach" in groups:
        figures.update(_outreach(session, library_id))
    if "events" in groups:
        figures.update(_events(session, library_id, year))
    return {code: Suggestion(figures.get(source, 0), source.split(".", 1)[0]) for code, source in wanted.items()}


def _staff(session, library_id: int, year: int) -> dict:
    from app.models import Staff

    end = datetime.date(year, 12, 31)
    ago = lambda n: years_before(end, n)  # noqa: E731
    born, hired = Staff.birth_year, Staff.hired_on
    counted = {
        "staff.higher": Staff.education.in_(HIGHER),
        "staff.higher_library": Staff.education == Education.higher_library,
        "staff.secondary": Staff.education.in_((Education.secondary_library, Education.secondary_other)),
        "staff.secondary_library": Staff.education == Education.secondary_library,
        "staff.library_education": Staff.education.in_(LIBRARY_EDUCATION),
        "staff.age.under_30": born > year - 30,
        "staff.age.30_55": born.between(year - 54, year - 30),
        "staff.age.55_over": born <= year - 55,
        "staff.service.under_3": hired > ago(3),
        "staff.service.3_6": (hired <= ago(3)) & (hired > ago(6)),
        "staff.service.6_10": (hired <= ago(6)) & (hired > ago(10)),
        "staff.service.over_10": hired <= ago(10),
    }
    row = session.execute(select(func.count(), func.sum(Staff.employment_rate),
                                 *(func.sum(case((c, 1), else_=0)) for c in counted.values()))
                          .where(Staff.library_id == library_id, Staff.active)).one()
    headcount, posts, *counts = row
    out = {"staff.headcount": headcount, "staff.posts": float(posts or 0)}
    out.update({name: int(n or 0) for name, n in zip(counted, counts)})
    if out["staff.posts"].is_integer():
        out["staff.posts"] = int(out["staff.posts"])
    return out


def _outreach(session, library_id: int) -> dict:
    from app.models import Outreach

    out = {"outreach.points": 0, "outreach.readers": 0}
    for kind, n, readers in session.execute(
            select(Outreach.kind, func.count(), func.sum(Outreach.readers_served))
            .where(Outreach.library_id == library_id).group_by(Outreach.kind)):
        out["outreach.points"] += n
        out["outreach.readers"] += readers or 0
        out[f"outreach.points.{kind.name}"] = n
    return out


def _events(session, library_id: int, year: int) -> dict:
    from app.records.event import Event, EventFormat, EventStatus

    held = (Event.library_id == library_id, Event.status == EventStatus.held,
            Event.held_on.between(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    one = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    row = session.execute(select(
        func.count(), one(Event.audience == Audience.children), one(Event.audience == Audience.youth),
        one(Event.format == EventFormat.outreach), one(Event.format == EventFormat.online),
        func.sum(Event.attendance), func.sum(Event.children), func.sum(Event.youth)).where(*held)).one()
    names = ("events.held", "events.children", "events.youth", "events.outreach", "events.online",
             "events.attendance", "events.attendance.children", "events.attendance.youth")
    return {name: int(value or 0) for name, value in zip(names, row)}
