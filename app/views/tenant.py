from flask_babel import lazy_gettext as _l

from app.models import Tenant

from .base import RecordView


class TenantView(RecordView):
    model = Tenant
    list_title, show_title = _l("Regions and districts"), _l("Region or district")
    add_title, edit_title = _l("Add a region or district"), _l("Edit a region or district")
    list_columns = ["name", "kind", "parent", "code", "default_locale"]
    search_columns = ["name", "kind", "parent", "code"]
    add_columns = edit_columns = ["name", "kind", "parent", "code", "default_locale"]
    show_columns = list_columns
    order_columns = ["name", "kind", "code"]
    base_order = ("name", "asc")
