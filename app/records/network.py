"""The network's record types: its organisations, libraries, staff, clubs, outreach points
and contests, its accounts and its audit trail."""
from flask_babel import lazy_gettext as _l, ngettext

from app.api.records import (
    ClubApi, ContestApi, ContestEntryApi, LibraryApi, OutreachApi, StaffApi, TenantApi,
)
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.imports.accounts import Accounts
from app.security.users import AccountView
from app.views.audit import AuditView
from app.views.club import ClubView
from app.views.contest import ContestEntryView, ContestView
from app.views.library import LibraryView
from app.views.outreach import OutreachView
from app.views.staff import StaffView
from app.views.tenant import TenantView

from . import RecordType, declare

LIBRARY_CONTACTS = ("address", "phone", "email", "website", "working_hours")


def demo_populations(tenants: dict) -> None:
    """The demo districts' inhabitants, rounded census figures (app/demo_data/populations.csv);
    a population someone has entered stays. The regions have none: the demo holds only a few
    of each region's districts, so a region's total counts its districts' inhabitants."""
    import csv
    from pathlib import Path

    path = Path(__file__).parents[1] / "demo_data" / "populations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            tenant = tenants.get(row["code"])
            if tenant is not None and tenant.population is None:
                tenant.population = int(row["population"])

declare(RecordType(
    "library", LibraryView, LibraryApi, "Libraries", _l("Libraries"), _l("Library"), "fa-university",
    {DIRECTOR: "raed", METHODOLOGIST: "re", BRANCH: "re", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d library", "%(num)d libraries", n),
    fields={METHODOLOGIST: (*LIBRARY_CONTACTS, "name", "settlement", "founded_year"),
            BRANCH: LIBRARY_CONTACTS},
    natural_key=("tenant", "name"),
    order=10,
))
declare(RecordType(
    "staff", StaffView, StaffApi, "Staff", _l("Staff"), _l("Staff member"), "fa-id-badge",
    {DIRECTOR: "raed", METHODOLOGIST: "r", BRANCH: "r"},
    count=lambda n: ngettext("%(num)d staff member", "%(num)d staff members", n),
    natural_key=("library", "full_name"),
    order=20,
))
declare(RecordType(
    "club", ClubView, ClubApi, "Clubs", _l("Clubs"), _l("Club"), "fa-users",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "raed", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d club", "%(num)d clubs", n),
    natural_key=("library", "name"),
    order=30,
))
declare(RecordType(
    "outreach", OutreachView, OutreachApi, "Outreach", _l("Outreach"), _l("Outreach point"), "fa-truck",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "raed", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d outreach point", "%(num)d outreach points", n),
    natural_key=("library", "location"),
    order=40,
))
declare(RecordType(
    "contest", ContestView, ContestApi, "Contests", _l("Contests"), _l("Contest"), "fa-trophy",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "r", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d contest", "%(num)d contests", n),
    natural_key=("tenant", "title", "year"),
    order=50,
))
declare(RecordType(
    "contest_entry", ContestEntryView, ContestEntryApi, "Contest entries", _l("Contest entries"),
    _l("Contest entry"), "fa-file-text-o",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "raed", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d contest entry", "%(num)d contest entries", n),
    fields={BRANCH: ("contest", "library", "nomination", "title", "submitted_on")},
    frozen={BRANCH: "result"},  # an entry, once judged
    natural_key=("contest", "library", "title"),
    order=60,
))
declare(RecordType(
    "tenant", TenantView, TenantApi, "Tenants", _l("Regions and districts"), _l("Region or district"),
    "fa-sitemap", {DIRECTOR: "re", METHODOLOGIST: "r", BRANCH: "r", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d organisation", "%(num)d organisations", n),
    fields={DIRECTOR: ("name", "code", "default_locale", "time_zone", "population", "stat_threshold",
                       "public_pages", "public_frame_origins")},
    demo=lambda tenants, libraries: demo_populations(tenants),
    order=70,
))
# A Director's accounts; FAB's own account screens are Admin's.
declare(RecordType(
    "user", AccountView, None, "Accounts", _l("User accounts"), _l("User account"), "fa-user",
    {DIRECTOR: "raed"},
    count=lambda n: ngettext("%(num)d user account", "%(num)d user accounts", n),
    natural_key=("username",), importer=Accounts,
    order=80,
))
# The audit trail: read-only for everyone.
declare(RecordType(
    "audit", AuditView, None, "Audit trail", _l("Audit trail"), _l("Audit entry"), "fa-history",
    {DIRECTOR: "r"}, order=90,
))
