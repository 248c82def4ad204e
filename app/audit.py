"""The audit trail: who changed which record, when, and its values before and after.

Every insert, update and delete of tenant data, of user accounts (with their roles and
groups) and of roles (with their permissions) writes an audit row in the same flush,
so in the same transaction as the change: both are saved, or neither. Bulk statements
(`update()`, `delete()`) and raw SQL do not pass through the unit of work and are not
recorded; the app changes records one by one.

An audit row carries the tenant of the row it records: the tenant's own id for a
region or district, `tenant_id` for other tenant data, the account's tenant (its
library's, for branch staff) for an account. Admins' accounts, roles and groups belong
to no tenant: their rows have none, and only Admins see them. That is why the audit
table is not tenant data in the sense of app.tenancy (whose rows all have a tenant):
its screen scopes its reads itself, like the account screen, and on PostgreSQL its own
row-level security policies hold (migrations/versions/0003).

Audit rows are written, never changed: updates and deletes of them are refused here,
and on PostgreSQL no policy allows them.
"""
import datetime
import enum
from typing import NamedTuple

from flask import g, has_request_context
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Group, Role, User
from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, event, inspect, insert, select
from sqlalchemy.orm import Mapper, Session

from .choices import Choice, _l
from .models import Library, choice
from .tenancy.session import is_tenant_data


class AuditAction(Choice):
    insert = _l("Added")
    update = _l("Changed")
    delete = _l("Deleted")


class AuditEntry(Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_tenant_at", "tenant_id", "at"),
        Index("ix_audit_entry_batch", "batch"),
        # Written without RETURNING: on PostgreSQL a writer may add audit rows it may not
        # read back (branch staff).
        {"implicit_returning": False},
    )
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)  # UTC
    # Plain values, no foreign keys: the trail outlives the users, tenants and records it names.
    user_id = Column(Integer)
    username = Column(String(128))  # None: an operator command or the service itself
    tenant_id = Column(Integer)
    table_name = Column(String(64), nullable=False)
    record_id = Column(Integer, nullable=False)
    action = choice(AuditAction, nullable=False)
    before = Column(JSON)  # column -> value; changed columns only, for an update
    after = Column(JSON)
    batch = Column(String(32))  # the import that made the change (app/imports), if one did

    def __str__(self):
        return f"{self.table_name} {self.record_id}"

    def changes(self) -> list["Change"]:
        """The values this entry records, one per field, before and after."""
        before, after = self.before or {}, self.after or {}
        return [Change(self.table_name, key, before.get(key), after.get(key),
                       self.before is not None, self.after is not None)
                for key in dict.fromkeys([*before, *after]) if key != "id"]


class Change(NamedTuple):
    table: str
    field: str
    before: object
    after: object
    has_before: bool  # an added record has no values before, a deleted one none after
    has_after: bool


class AuditIsReadOnly(PermissionError):
    """An attempt to change or delete an audit row."""


# Columns FAB updates on every login, the version counter, and what follows from another
# column (an account's case-folded keys, its session epoch and whether it must choose a new
# password: the password's change says it;
# where an attached file is kept: its name, type and size say it).
BOOKKEEPING = {"last_login", "login_count", "fail_login_count", "created_on", "changed_on",
               "created_by_fk", "changed_by_fk", "version", "username_key", "email_key",
               "session_epoch", "file_key", "must_change_password"}
SECRET = {"password"}  # its change is recorded, its value (a hash) never
HIDDEN = "********"
# Many-to-many links, recorded as the names on their owner's row.
LINKS = {User: ("roles", "groups"), Role: ("permissions",), Group: ("roles", "users")}


def audited(cls) -> bool:
    return is_tenant_data(cls) or issubclass(cls, (User, Role, Group))


def _links(cls) -> tuple[str, ...]:
    return next((keys for base, keys in LINKS.items() if issubclass(cls, base)), ())


def _columns(cls) -> list[str]:
    return [key for key in inspect(cls).columns.keys() if key not in BOOKKEEPING]


def plain(value):
    """A value as JSON holds it: codes for choices, ISO dates, exact decimals."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):  # a JSON column (a report's figures): as itself, for the import's undoing
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)  # a Decimal exactly, anything else as text


def _value(key, value):
    if key in SECRET:
        return None if value is None else HIDDEN
    if isinstance(value, (list, tuple, set)):  # linked rows, by name
        return sorted(str(getattr(v, "username", None) or getattr(v, "name", None) or v) for v in value)
    return plain(value)


def _values(obj) -> dict:
    return {key: _value(key, getattr(obj, key)) for key in (*_columns(type(obj)), *_links(type(obj)))}


def _changes(obj) -> tuple[dict, dict]:
    """(before, after) of the columns and links of `obj` this flush changes."""
    state, before, after = inspect(obj), {}, {}
    for key in _columns(type(obj)):
        history = state.attrs[key].history
        if history.has_changes():
            old = (history.deleted or history.unchanged or [None])[0]
            before[key], after[key] = _value(key, old), _value(key, getattr(obj, key))
    for key in _links(type(obj)):
        history = state.attrs[key].history
        if history.has_changes():
            before[key] = _value(key, [*history.unchanged, *history.deleted])
            after[key] = _value(key, [*history.unchanged, *history.added])
    return before, after


def _tenant_of(obj, connection):
    cls = type(obj)
    if is_tenant_data(cls):
        return getattr(obj, cls.__tenant_keys__[0])
    if isinstance(obj, User):
        tenant, library = getattr(obj, "tenant_id", None), getattr(obj, "library_id", None)
        if tenant is None and library is not None:
            tenant = connection.scalar(select(Library.tenant_id).where(Library.id == library))
        return tenant
    return None  # roles and groups belong to no tenant


def _actor() -> tuple[int | None, str | None]:
    """(id, user name) of the signed-in user, by cookie or by token; none outside a request."""
    if not has_request_context():
        return None, None
    user = getattr(g, "user", None)
    if not getattr(user, "is_authenticated", False):
        try:
            from flask_jwt_extended import get_current_user

            user = get_current_user()
        except RuntimeError:  # no token in this request
            user = None
    if user is None or not getattr(user, "is_authenticated", False):
        return None, None
    return user.id, user.username


# -- writing -------------------------------------------------------------------

@event.listens_for(Session, "before_flush")
def _load_what_is_deleted(session, flush_context, instances):
    """A deleted row's values are read before the row is gone."""
    for obj in session.deleted:
        if audited(type(obj)):
            _values(obj)


@event.listens_for(Session, "after_flush")
def _record(session, flush_context):
    # New rows have their ids now; attribute history still holds the old values.
    rows, connection = [], session.connection()
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    actor = None
    for kind, objects in (("insert", session.new), ("update", session.dirty),
                          ("delete", session.deleted)):
        for obj in objects:
            if not audited(type(obj)):
                continue
            if kind == "insert":
                before, after = None, _values(obj)
            elif kind == "delete":
                before, after = _values(obj), None
            else:
                before, after = _changes(obj)
                if not after:
                    continue  # only bookkeeping changed, or nothing
            actor = actor or _actor()
            mapper = inspect(obj).mapper
            rows.append({
                "at": now, "user_id": actor[0], "username": actor[1],
                "tenant_id": _tenant_of(obj, connection), "table_name": mapper.local_table.name,
                "record_id": mapper.primary_key_from_instance(obj)[0],
                "action": AuditAction[kind], "before": before, "after": after,
                "batch": session.info.get("import_batch"),
            })
    if rows:
        connection.execute(insert(AuditEntry.__table__), rows)  # in the flush's own transaction


_watched: set[type] = set()


def _keep_old_values(cls) -> None:
    """Old values for the trail even when the attribute was expired (after a commit)
    before it changed: with active history, the attribute loads its old value when set."""
    if audited(cls) and cls not in _watched:
        _watched.add(cls)
        for key in _columns(cls):
            event.listen(getattr(cls, key), "set", _noop, active_history=True)


def _noop(target, value, oldvalue, initiator):
    return value


for _mapper in list(Model.registry.mappers):  # mapped so far
    _keep_old_values(_mapper.class_)
event.listen(Mapper, "mapper_configured", lambda mapper, cls: _keep_old_values(cls))  # mapped later


# -- never changed -------------------------------------------------------------

@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_row_change(mapper, connection, target):
    raise AuditIsReadOnly(target)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state):
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEntry for m in state.all_mappers):
        raise AuditIsReadOnly(AuditEntry.__tablename__)
