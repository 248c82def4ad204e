"""The boundary in the session: one read rule, one write guard, and the PostgreSQL
settings that the row-level security policies read.

Every ORM statement (selects, relationship loads, bulk update and delete) gets the
scope as loader criteria; every flushed insert, update and delete is checked against
it. Each session has one scope for its life: one session per request.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager

from flask_appbuilder import Model
from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session, scoped_session, with_loader_criteria
from sqlalchemy.orm.interfaces import MANYTOONE

from .scope import NOTHING, Scope

SCOPE_KEY = "tenancy.scope"
# Off only to prove that PostgreSQL's row-level security holds on its own (tests).
ORM_LAYER_KEY = "tenancy.orm_layer"


class OutOfScope(LookupError):
    """A write reached a row, or referred to a row, outside the user's scope."""


class NotPermitted(PermissionError):
    """A write to a row the user can see but may not change (or not that field)."""

    def __str__(self):
        from flask_babel import gettext

        return gettext("You may read this record, but your role does not allow this change.")


def is_tenant_data(cls) -> bool:
    return hasattr(cls, "__tenant_keys__")


@functools.cache
def tenant_classes() -> list[type]:
    """Every mapped class that holds tenant data (the tenant table included)."""
    return sorted((m.class_ for m in Model.registry.mappers if is_tenant_data(m.class_)),
                  key=lambda cls: cls.__name__)


def current_scope(session: Session) -> Scope:
    return session.info.get(SCOPE_KEY, NOTHING)


def set_scope(session: Session | scoped_session, scope: Scope) -> None:
    if isinstance(session, scoped_session):
        session = session()
    session.info[SCOPE_KEY] = scope
    if session.in_transaction():  # a transaction already begun keeps the old settings
        _apply_settings(session.connection(), scope)


@contextmanager
def unrestricted(session: Session):
    """Run a block with the whole network in view: operator commands, scope look-ups."""
    previous = current_scope(session)
    set_scope(session, Scope(visible=None))
    try:
        yield session
    finally:
        set_scope(session, previous)


# -- reads ---------------------------------------------------------------------

@event.listens_for(Session, "do_orm_execute")
def _add_scope_to_statement(state):
    if state.is_column_load:  # refreshing an object already loaded in this scope
        return
    scope = current_scope(state.session)
    if scope.unrestricted or not state.session.info.get(ORM_LAYER_KEY, True):
        return
    as_array = state.session.get_bind().dialect.name == "postgresql"
    state.statement = state.statement.options(*_read_options(scope, as_array))


def _read_options(scope: Scope, as_array: bool) -> tuple:
    """The loader criteria of a scope, built once for all the statements of its session."""
    key = f"_read_options_{as_array}"
    options = scope.__dict__.get(key)
    if options is None:  # a frozen dataclass: kept beside its fields, not as one
        options = scope.__dict__[key] = tuple(
            with_loader_criteria(cls, scope.read_clause(cls, as_array=as_array), include_aliases=True)
            for cls in tenant_classes())
    return options


# -- writes --------------------------------------------------------------------

def _keys(target, history: bool) -> tuple:
    """A row's (tenant, library) keys, as they are now or, with history, as loaded."""
    state = inspect(target)
    out = []
    for attr in type(target).__tenant_keys__:
        if attr is None:
            out.append(None)
            continue
        deleted = state.attrs[attr].history.deleted
        out.append(deleted[0] if history and deleted else getattr(target, attr))
    return tuple(out)


def assert_writable(session, item) -> None:
    """Refuse early, before other checks, a change to a row the user may only read."""
    scope = current_scope(session)
    if not scope.unrestricted and not scope.can_write(type(item), *_keys(item, history=True)):
        raise NotPermitted(type(item).__tablename__)


def _check_row(mapper, connection, target, *, old: bool) -> None:
    session = inspect(target).session
    scope = current_scope(session) if session is not None else NOTHING
    if scope.unrestricted or not is_tenant_data(type(target)) \
            or not session.info.get(ORM_LAYER_KEY, True):
        return
    cls = type(target)  # the row is visible (it was loaded, or refers to visible rows)
    if not scope.can_write(cls, *_keys(target, history=False)):
        raise NotPermitted(cls.__tablename__)
    if old and not scope.can_write(cls, *_keys(target, history=True)):
        raise NotPermitted(cls.__tablename__)
    _check_fields(mapper, target, scope, old=old)
    _check_references(mapper, connection, target, scope)


def _check_fields(mapper, target, scope: Scope, *, old: bool) -> None:
    """A role that may change only some fields of a record changes only those, and
    nothing of a record that froze when a field was set (a judged contest entry)."""
    state, table = inspect(target), mapper.local_table.name
    frozen = scope.frozen.get(table)
    if frozen and old:
        hist = state.attrs[frozen].history
        before = (hist.deleted or hist.unchanged or [None])[0]
        if before is not None:
            raise NotPermitted(frozen)
    permitted = scope.fields.get(table)
    if permitted is None:
        return
    allowed = set(permitted) | {"id", *filter(None, type(target).__tenant_keys__)}
    for key in permitted:  # a relation allows its own columns
        prop = mapper.attrs.get(key)
        if prop is not None and hasattr(prop, "local_columns"):
            allowed |= {mapper.get_property_by_column(c).key for c in prop.local_columns}
    for attr in mapper.column_attrs:
        hist = state.attrs[attr.key].history
        changed = hist.has_changes() if old else getattr(target, attr.key) is not None
        if changed and attr.key not in allowed:
            raise NotPermitted(attr.key)


def _check_references(mapper, connection, target, scope: Scope) -> None:
    """Ids a row refers to (its library, its contest...) must be visible to the user."""
    state = inspect(target)
    for rel in mapper.relationships:
        remote_cls = rel.mapper.class_
        if rel.direction is not MANYTOONE or rel.viewonly or not is_tenant_data(remote_cls):
            continue
        pairs = rel.local_remote_pairs
        if not any(state.attrs[mapper.get_property_by_column(local).key].history.has_changes()
                   for local, _ in pairs):
            continue
        values = [getattr(target, mapper.get_property_by_column(local).key) for local, _ in pairs]
        if any(v is None for v in values):
            continue  # a missing required reference is the database's NOT NULL error
        query = select(rel.mapper.primary_key[0]).where(
            *(remote == value for (_, remote), value in zip(pairs, values)))
        clause = scope.read_clause(remote_cls)
        if clause is not None:
            query = query.where(clause)
        if connection.execute(query).first() is None:
            raise OutOfScope(remote_cls.__name__)


@event.listens_for(Model, "before_insert", propagate=True)
def _guard_insert(mapper, connection, target):
    _check_row(mapper, connection, target, old=False)


@event.listens_for(Model, "before_update", propagate=True)
def _guard_update(mapper, connection, target):
    _check_row(mapper, connection, target, old=True)


@event.listens_for(Model, "before_delete", propagate=True)
def _guard_delete(mapper, connection, target):
    _check_row(mapper, connection, target, old=True)


# -- PostgreSQL row-level security ---------------------------------------------

def _csv(ids) -> str:
    return ",".join(str(i) for i in sorted(ids or ()))


def _apply_settings(connection, scope: Scope) -> None:
    if connection.dialect.name != "postgresql":
        return
    # set_config(..., true) lasts for this transaction only: pooled connections keep nothing.
    connection.execute(
        text("SELECT set_config('app.all', :all, true), set_config('app.tenants', :tenants, true),"
             " set_config('app.ancestors', :ancestors, true), set_config('app.library', :library, true),"
             " set_config('app.node', :node, true)"),
        {"all": "on" if scope.unrestricted else "off", "tenants": _csv(scope.visible),
         "ancestors": _csv(scope.ancestors), "library": str(scope.library_id or ""),
         "node": str(scope.node_id or "")},
    )


@event.listens_for(Session, "after_begin")
def _settings_for_transaction(session, transaction, connection):
    _apply_settings(connection, current_scope(session))
