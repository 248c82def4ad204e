"""The district passport: a printable description of a district's library network,
in the words a district uses for itself ("The network has 12 libraries: ...")."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.choices import ContestResult, LibraryKind, LibraryStatus
from app.models import Club, Contest, ContestEntry, Library, Outreach

from .figures import Report, report
from .layout import percent


@dataclass
class Passport:
    report: Report
    libraries: list[Library]
    clubs: list[Club]
    outreach: list[Outreach]
    contests: list[tuple[Contest, list[ContestEntry]]]


def passport(session, district, today: datetime.date | None = None) -> Passport:
    # The figures' year: this year's contests, else those of the latest year with contests.
    figures = report(session, district, today=today)
    in_district = Library.tenant_id == district.id  # the page's district, within the visible network
    order = list(LibraryKind)
    libraries = sorted(session.scalars(select(Library).where(in_district, Library.status == LibraryStatus.active)
                                       .order_by(Library.name)),
                       key=lambda library: order.index(library.kind))
    clubs = session.scalars(select(Club).join(Club.library).options(contains_eager(Club.library))
                            .where(in_district, Club.active).order_by(Library.name, Club.name)).all()
    outreach = session.scalars(select(Outreach).join(Outreach.library).options(contains_eager(Outreach.library))
                               .where(in_district).order_by(Library.name, Outreach.location)).all()
    return Passport(figures, libraries, clubs, outreach, _contests(session, district, figures.year))


def _contests(session, district, year):
    """The year's contests the district held or its libraries entered, with its entries."""
    if year is None:
        return []
    entered = select(ContestEntry.contest_id).where(ContestEntry.tenant_id == district.id)
    contests = session.scalars(select(Contest).where(Contest.year == year, or_(
        Contest.tenant_id == district.id, Contest.id.in_(entered))).order_by(Contest.starts_on, Contest.title)).all()
    entries = session.scalars(select(ContestEntry).options(joinedload(ContestEntry.library)).where(
        ContestEntry.tenant_id == district.id, ContestEntry.contest_id.in_([c.id for c in contests]))).all()
    places = list(ContestResult)
    rank = lambda e: (places.index(e.result) if e.result else len(places), e.library.name, e.title)  # noqa: E731
    return [(c, sorted((e for e in entries if e.contest_id == c.id), key=rank)) for c in contests]


# Each kind of library counted, in the plural form its number takes.
def _kind_count(kind: LibraryKind, n: int) -> str:
    return {
        LibraryKind.regional: ngettext("%(num)d regional library", "%(num)d regional libraries", n),
        LibraryKind.central: ngettext("%(num)d central district library", "%(num)d central district libraries", n),
        LibraryKind.children: ngettext("%(num)d children's library", "%(num)d children's libraries", n),
        LibraryKind.branch: ngettext("%(num)d branch library", "%(num)d branch libraries", n),
        LibraryKind.chitalishte: ngettext("%(num)d community cultural centre library",
                                          "%(num)d community cultural centre libraries", n),
    }[kind]


def description(figures: Report) -> list[str]:
    """The district's network in a few sentences, the way a district's report opens."""
    total = figures.total
    kinds = ", ".join(_kind_count(k, total[f"libraries.{k.name}"]) for k in LibraryKind
                      if total[f"libraries.{k.name}"])
    out = [ngettext("The district's public library network has %(num)d library: %(kinds)s.",
                    "The district's public library network has %(num)d libraries: %(kinds)s.",
                    total["libraries"], kinds=kinds) if kinds else _("The district has no active libraries.")]
    staff = total["staff"]
    out.append(ngettext("%(num)d staff member works in the district's libraries.",
                        "%(num)d staff members work in the district's libraries.", staff))
    if staff:
        out.append(_("%(higher)s of them have higher education, %(library)s library education.",
                     higher=percent(total["staff.higher"] / staff), library=percent(total["staff.library"] / staff)))
    members = ngettext("%(num)d member", "%(num)d members", total["members"])
    out.append(ngettext("The libraries run %(num)d interest club with %(members)s.",
                        "The libraries run %(num)d interest clubs with %(members)s.", total["clubs"], members=members))
    if total["outreach"]:
        readers = ngettext("%(num)d reader", "%(num)d readers", total["readers"])
        out.append(ngettext("The libraries serve readers at %(num)d outreach point (%(readers)s).",
                            "The libraries serve readers at %(num)d outreach points (%(readers)s).",
                            total["outreach"], readers=readers))
    if figures.year is not None:
        out.append(ngettext("In %(year)s the district's libraries sent %(num)d entry to contests; %(winners)s.",
                            "In %(year)s the district's libraries sent %(num)d entries to contests; %(winners)s.",
                            total["entries"], year=figures.year,
                            winners=ngettext("%(num)d of them took a place from first to third",
                                             "%(num)d of them took places from first to third",
                                             total["winners"])))
    return out
