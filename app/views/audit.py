"""The audit trail screen: read-only, the rows of the user's subtree (all of them for
Admins). It has no add, edit or delete routes at all. Values read as on the record
screens: linked records by name, dates in the user's format, times in the user's zone."""
import datetime
import re

from flask_appbuilder import Model, ModelView
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Enum, false

from app.audit import HIDDEN, AuditEntry, Change
from app.extensions import db
from app.i18n import format_day, format_moment, format_yes_no
from app.models import Contest, Library, Tenant
from app.security.roles import LABELS as ROLE_LABELS
from app.security.users import AccountView
from app.tenancy.session import current_scope
from app.validation import RecordInterface

from .base import LABELS

# The security tables' records; every record type names its own (app/records).
RECORD_LABELS = {"ab_user": _l("User account"), "ab_role": _l("Role"), "ab_group": _l("Group")}
FIELD_LABELS = {
    **LABELS, **AccountView.label_columns, "tenant_id": _l("Organisation"),
    "library_id": _l("Library"), "parent_id": _l("Region"), "contest_id": _l("Contest"),
    "locale": _l("Language"), "permissions": _l("Permissions"), "groups": _l("Groups"),
    "users": _l("User accounts"),
}


def record_label(table: str) -> str:
    """A record type as people name it: "Клуб"."""
    from app.records import record_types

    labels = {**RECORD_LABELS, **{t.table: t.label for t in record_types().values()}}
    return str(labels.get(table, table))


# Fields that hold the id of another record: shown by that record's name.
REFERENCES = {"tenant_id": Tenant, "parent_id": Tenant, "library_id": Library, "contest_id": Contest}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


class ScopedAudit(RecordInterface):
    """Audit rows of the user's subtree. The audit table is not tenant data for the
    session rule (rows of Admins' accounts and roles have no tenant): every read this
    screen makes, list and record alike, is scoped here instead."""

    def _in_scope(self, query):
        scope = current_scope(self.session)
        if scope.unrestricted:
            return query
        if scope.library_id is not None:  # branch staff read no trail
            return query.filter(false())
        return query.filter(AuditEntry.tenant_id.in_(sorted(scope.visible)))

    def apply_all(self, query, *args, **kwargs):
        return super().apply_all(self._in_scope(query), *args, **kwargs)

    def query_count(self, query, *args, **kwargs):
        return super().query_count(self._in_scope(query), *args, **kwargs)


def _choices(table: str) -> dict:
    """Column -> its Choice class, for the table of an audit row."""
    for mapper in Model.registry.mappers:
        if mapper.local_table.name == table:
            return {c.key: c.type.enum_class for c in mapper.columns
                    if isinstance(c.type, Enum) and c.type.enum_class is not None}
    return {}


def _shown(value, enum_class=None, field: str | None = None) -> str:
    """A stored value as people read it: a linked record by its name, a role by its name
    in the user's language, a date in the user's format, a choice by its label."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return format_yes_no(value)
    if isinstance(value, list):
        if field == "roles":
            return ", ".join(str(ROLE_LABELS.get(name, name)) for name in value)
        return ", ".join(map(str, value))
    if value == HIDDEN:
        return gettext("(changed, not shown)")
    if enum_class is not None and value in enum_class.__members__:
        return str(enum_class[value])
    if field in REFERENCES and isinstance(value, int):
        # Read through the session rule: a record out of sight stays a number, named by nothing.
        record = db.session.get(REFERENCES[field], value)
        return str(record) if record is not None else f"№ {value}"
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return format_day(datetime.date.fromisoformat(value))
    if isinstance(value, str) and ISO_MOMENT.fullmatch(value):
        return format_moment(datetime.datetime.fromisoformat(value))
    return str(value)


def _field_labels(table: str | None) -> dict:
    """A record type's field labels: its screen's own, then the shared ones."""
    from app.records import record_types

    own = next((t.view.label_columns or {} for t in record_types().values() if t.table == table), {})
    return {**LABELS, **FIELD_LABELS, **own}


def changes_table(changes: list[Change]) -> Markup:
    """The values before and after, one field a line."""
    choices = _choices(changes[0].table) if changes else {}
    labels = _field_labels(changes[0].table if changes else None)
    rows = [
        Markup("<tr><th>{}</th><td>{}</td><td>{}</td></tr>").format(
            labels.get(c.field, c.field),
            _shown(c.before, choices.get(c.field), c.field) if c.has_before else "",
            _shown(c.after, choices.get(c.field), c.field) if c.has_after else "")
        for c in changes
    ]
    head = Markup("<tr><th></th><th>{}</th><th>{}</th></tr>").format(gettext("Before"), gettext("After"))
    return Markup('<table class="table table-condensed">{}{}</table>').format(head, Markup("").join(rows))


def _tenant_name(tenant_id) -> str:
    tenant = db.session.get(Tenant, tenant_id) if tenant_id is not None else None
    return str(tenant) if tenant is not None else "—"


class AuditView(ModelView):
    datamodel = ScopedAudit(AuditEntry)
    include_route_methods = {"list", "show"}
    base_permissions = ["can_list", "can_show"]
    list_title, show_title = _l("Audit trail"), _l("Audit entry")
    list_columns = ["at", "username", "tenant_id", "table_name", "record_id", "action", "changes"]
    show_columns = ["at", "username", "user_id", "tenant_id", "table_name", "record_id", "action",
                    "changes"]
    search_columns = ["at", "username", "table_name", "record_id", "action"]
    order_columns = ["at", "username", "table_name", "record_id"]
    base_order = ("id", "desc")
    label_columns = {
        "at": _l("When"), "username": _l("User name"), "user_id": _l("User id"),
        "tenant_id": _l("Organisation"), "table_name": _l("Record type"),
        "record_id": _l("Record id"), "action": _l("Change"), "changes": _l("Before and after"),
    }
    formatters_columns = {
        "at": lambda at: format_moment(at, seconds=True),
        "username": lambda name: name or gettext("operator or service"),
        "tenant_id": _tenant_name,
        "table_name": record_label,
        "changes": changes_table,
    }
