"""One REST API per record type, under /api/v1/<resource_name>/."""
from app.models import Club, Contest, ContestEntry, Library, Outreach, Staff, Tenant

from app.choices import TIME_ZONES

from .base import OneOf, RecordApi


class TenantApi(RecordApi):
    model, resource_name = Tenant, "tenant"
    list_columns = ["id", "name", "kind", "parent.id", "parent.name", "code", "default_locale", "time_zone"]
    show_columns = [*list_columns, "population", "stat_threshold", "public_pages", "public_frame_origins"]
    add_columns = edit_columns = ["name", "kind", "parent", "code", "default_locale", "time_zone",
                                  "population", "stat_threshold", "public_pages", "public_frame_origins"]
    validators_columns = {"time_zone": OneOf(TIME_ZONES)}  # the document lists the zones
    order_columns = ["name", "kind", "code"]


class LibraryApi(RecordApi):
    model, resource_name = Library, "library"
    add_columns = edit_columns = [
        "name", "kind", "tenant", "settlement", "address", "phone", "email", "website",
        "working_hours", "founded_year", "status", "closed_on",
    ]
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", *add_columns[:2], *add_columns[3:]]
    order_columns = ["name", "kind", "settlement", "status"]


class StaffApi(RecordApi):
    model, resource_name = Staff, "staff"
    add_columns = edit_columns = [
        "full_name", "position", "library", "education", "hired_on", "birth_year",
        "employment_rate", "active",
    ]
    list_columns = show_columns = ["id", "library.id", "library.name", *add_columns[:2], *add_columns[3:]]
    order_columns = ["full_name", "position", "education"]


class ClubApi(RecordApi):
    model, resource_name = Club, "club"
    add_columns = edit_columns = [
        "name", "library", "audience", "founded_year", "members", "schedule", "partner",
        "description", "active",
    ]
    list_columns = show_columns = ["id", "library.id", "library.name", "name", *add_columns[2:]]
    order_columns = ["name", "audience", "members", "founded_year"]


class OutreachApi(RecordApi):
    model, resource_name = Outreach, "outreach"
    add_columns = edit_columns = ["kind", "location", "library", "served", "readers_served",
                                  "active_since"]
    list_columns = show_columns = ["id", "library.id", "library.name", "kind", "location",
                                   "served", "readers_served", "active_since"]
    order_columns = ["kind", "location", "readers_served"]


class ContestApi(RecordApi):
    model, resource_name = Contest, "contest"
    add_columns = edit_columns = ["title", "level", "tenant", "year", "starts_on", "ends_on",
                                  "description", "nominations"]
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", "title", "level", "year",
                                   "starts_on", "ends_on", "description", "nominations"]
    order_columns = ["title", "level", "year"]


class ContestEntryApi(RecordApi):
    model, resource_name = ContestEntry, "contest_entry"
    add_columns = edit_columns = ["contest", "library", "nomination", "title", "submitted_on",
                                  "result"]
    list_columns = show_columns = ["id", "contest.id", "contest.title", "library.id",
                                   "library.name", "nomination", "title", "submitted_on", "result"]
    order_columns = ["title", "submitted_on", "result"]
