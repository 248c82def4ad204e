from flask_babel import lazy_gettext as _l

from app.models import Library

from .base import RecordView
from .club import ClubView
from .contest import ContestEntryView
from .outreach import OutreachView
from .staff import StaffView


class LibraryView(RecordView):
    model = Library
    list_title, show_title = _l("Libraries"), _l("Library")
    add_title, edit_title = _l("Add a library"), _l("Edit a library")
    list_columns = ["name", "kind", "settlement", "tenant", "phone", "status"]
    search_columns = ["name", "kind", "status", "settlement", "tenant"]
    add_columns = edit_columns = [
        "name", "kind", "tenant", "settlement", "address", "phone", "email", "website",
        "working_hours", "founded_year", "status", "closed_on",
    ]
    show_columns = add_columns
    order_columns = ["name", "kind", "settlement", "status"]
    base_order = ("name", "asc")
    related_views = [StaffView, ClubView, OutreachView, ContestEntryView]  # the library's card
