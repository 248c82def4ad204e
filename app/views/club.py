from flask_babel import lazy_gettext as _l

from app.models import Club

from .base import RecordView


class ClubView(RecordView):
    model = Club
    list_title, show_title = _l("Clubs"), _l("Club")
    add_title, edit_title = _l("Add a club"), _l("Edit a club")
    list_columns = ["name", "library", "audience", "members", "founded_year", "active"]
    totals_columns = ("members",)
    search_columns = ["name", "library", "audience", "partner", "active"]
    add_columns = edit_columns = [
        "name", "library", "audience", "founded_year", "members", "schedule", "partner",
        "description", "active",
    ]
    show_columns = add_columns
    order_columns = ["name", "audience", "members", "founded_year"]
    base_order = ("name", "asc")
