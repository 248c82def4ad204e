from app.models import Library

from .base import RecordView


class LibraryView(RecordView):
    model = Library
    list_columns = ["name", "kind", "settlement", "tenant", "phone", "status"]
    search_columns = ["name", "kind", "status", "settlement", "tenant"]
    add_columns = edit_columns = [
        "name", "kind", "tenant", "settlement", "address", "phone", "email", "website",
        "working_hours", "founded_year", "status", "closed_on",
    ]
    show_columns = add_columns
    order_columns = ["name", "kind", "settlement", "status"]
    base_order = ("name", "asc")
