from app.models import Tenant

from .base import RecordView


class TenantView(RecordView):
    model = Tenant
    list_columns = ["name", "kind", "parent", "code", "default_locale"]
    search_columns = ["name", "kind", "parent", "code"]
    add_columns = edit_columns = ["name", "kind", "parent", "code", "default_locale"]
    show_columns = list_columns
    order_columns = ["name", "kind", "code"]
    base_order = ("name", "asc")
