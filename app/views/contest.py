from flask_babel import lazy_gettext as _l

from app.models import Contest, ContestEntry

from .base import RecordView


class ContestEntryView(RecordView):
    model = ContestEntry
    list_title, show_title = _l("Contest entries"), _l("Contest entry")
    add_title, edit_title = _l("Add a contest entry"), _l("Edit a contest entry")
    list_columns = ["title", "contest", "library", "nomination", "submitted_on", "result"]
    search_columns = ["title", "contest", "library", "nomination", "result"]
    add_columns = edit_columns = [
        "contest", "library", "nomination", "title", "submitted_on", "result",
    ]
    show_columns = add_columns
    order_columns = ["title", "submitted_on", "result"]
    base_order = ("submitted_on", "desc")


class ContestView(RecordView):
    model = Contest
    list_title, show_title = _l("Contests"), _l("Contest")
    add_title, edit_title = _l("Add a contest"), _l("Edit a contest")
    list_columns = ["title", "level", "year", "tenant", "starts_on", "ends_on"]
    search_columns = ["title", "level", "year", "tenant"]
    add_columns = edit_columns = [
        "title", "level", "tenant", "year", "starts_on", "ends_on", "description", "nominations",
    ]
    show_columns = add_columns
    order_columns = ["title", "level", "year", "starts_on"]
    base_order = ("year", "desc")
    related_views = [ContestEntryView]  # the contest's card lists its entries
