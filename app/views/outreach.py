from flask_babel import lazy_gettext as _l

from app.models import Outreach

from .base import RecordView


class OutreachView(RecordView):
    model = Outreach
    list_title, show_title = _l("Outreach points"), _l("Outreach point")
    add_title, edit_title = _l("Add an outreach point"), _l("Edit an outreach point")
    list_columns = ["kind", "location", "library", "served", "readers_served", "active_since"]
    totals_columns = ("readers_served",)
    search_columns = ["kind", "location", "library", "served"]
    add_columns = edit_columns = [
        "kind", "location", "library", "served", "readers_served", "active_since",
    ]
    show_columns = add_columns
    order_columns = ["kind", "location", "readers_served", "active_since"]
    base_order = ("location", "asc")
