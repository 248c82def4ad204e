from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.choices import TIME_ZONES
from app.models import Tenant

from .base import RecordView
from .library import LibraryView


def zone_label(value) -> str:
    return str(TIME_ZONES.get(value, value or ""))


class TenantView(RecordView):
    model = Tenant
    list_title, show_title = _l("Regions and districts"), _l("Region or district")
    add_title, edit_title = _l("Add a region or district"), _l("Edit a region or district")
    list_columns = ["name", "kind", "parent", "code", "default_locale", "time_zone"]
    search_columns = ["name", "kind", "parent", "code"]
    add_columns = edit_columns = ["name", "kind", "parent", "code", "default_locale", "time_zone"]
    show_columns = list_columns
    order_columns = ["name", "kind", "code"]
    base_order = ("name", "asc")
    related_views = [LibraryView]  # a district's card lists its libraries
    formatters_columns = {"time_zone": zone_label}
    # The zones by their names in the user's language (the labels are lazy: read per request).
    add_form_extra_fields = edit_form_extra_fields = {
        "time_zone": SelectField(_l("Time zone"), choices=lambda: [(k, str(v)) for k, v in TIME_ZONES.items()],
                                 default="Europe/Moscow"),
    }
