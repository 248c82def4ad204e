from flask_babel import lazy_gettext as _l

from app.models import Staff

from .base import RecordView


class StaffView(RecordView):
    model = Staff
    list_title, show_title = _l("Staff"), _l("Staff member")
    add_title, edit_title = _l("Add a staff member"), _l("Edit a staff member")
    list_columns = ["full_name", "position", "library", "education", "employment_rate", "active"]
    search_columns = ["full_name", "position", "library", "education", "active"]
    add_columns = edit_columns = [
        "full_name", "position", "library", "education", "hired_on", "birth_year",
        "employment_rate", "active",
    ]
    show_columns = add_columns
    order_columns = ["full_name", "position", "education", "employment_rate"]
    base_order = ("full_name", "asc")
