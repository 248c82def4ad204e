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

from .scope import NOTHING, Scope, visitor_scope

SCOPE_KEY = "tenancy.scope"
# Off only to prove that PostgreSQL's row-level security holds on its own (tests).
ORM_LAYER_KEY = "tenancy.orm_layer"


class OutOfScope(LookupError):
    """A write reached a row, or referred to a row, outside the user's scope."""


class NotPermitted(PermissionError):
    """A write to a row the user can see but may not change (or not that field)."""

    status = 403  # the API's answer

    def __str__(self):
        from flask_babel import gettext

        return gettext("You may read this record, but your role does not allow this change.")


def is_tenant_data(cls) -> bool:
    return hasattr(cls, "__tenant_keys__")


@functools.cache
def tenant_classes() -> list[type]:
    """Every mapped class that holds tenant data (the tenant table included)."""
    from app.records import record_types

    record_types()  # every record type's model mapped first: the answer is kept
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


@contextmanager
def as_visitor(session: Session, code: str):
    """Run a block as a visitor of the public pages of the tenant with this code, who is
    not signed in: its subtree in view (app.tenancy.scope.visitor_scope), no staff, and
    every write refused. Yields the tenant's id, or None when no tenant of that code
    publishes its pages (the block then reads nothing)."""
    previous = current_scope(session)
    with unrestricted(session):  # which tenant, and its districts: ids only
        scope = visitor_scope(session, code)
    set_scope(session, scope or NOTHING)
    try:
        yield scope.node_id if scope else None
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
    if scope.read_only and (state.is_insert or state.is_update or state.is_delete):
        raise NotPermitted("read-only scope")  # a bulk write; rows flushed meet the guard
    as_array = state.session.get_bind().dialect.name == "postgresql"
    state.statement = state.statement.options(*_read_options(scope, as_array))


def _read_options(scope: Scope, as_array: bool) -> tuple:
    """The loader criteria of a scope, built once for all the statements of its session."""
    key = f"_read_options_{as_array}"
    options = scope.__dict__.get(key)
    if options is None:  # a frozen dataclass: kept beside its fields, not as one
        options = scope.__dict__[key] = _criteria(
            scope.visible, scope.ancestors, scope.library_id, scope.read_only, as_array)
    return options


@functools.lru_cache(maxsize=512)
def _criteria(visible, ancestors, library_id, read_only, as_array) -> tuple:
    """The loader criteria of every scope with these tenants: what read_clause reads of a
    scope. Built once, not at each request of the same user (a list page's time)."""
    scope = Scope(visible, ancestors, library_id=library_id, read_only=read_only)
    return tuple(with_loader_criteria(cls, scope.read_clause(cls, as_array=as_array), include_aliases=True)
                 for cls in tenant_classes())


# -- writes --------------------------------------------------------------------

class Occupied(NotPermitted):
    """A row that others still refer to does not move to another tenant: its staff,
    clubs and entries would be left behind (the database refuses it too)."""

    status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class Misplaced(NotPermitted):
    """A reference to a row the record's tenant may read but not use: a contest of
    another district (a library enters its own district's contests and its region's)."""

    status = 422

    def __str__(self):
        return misplaced_message()


def misplaced_message() -> str:
    from flask_babel import gettext

    return gettext("This library may not enter this contest: choose a contest of its "
                   "district or of its region.")


def misplaced_references(session, model, values: dict) -> dict[str, str]:
    """Field -> message for each reference in `values` (a form's or a JSON body's related
    rows) to a row the record's tenant may not use: the early, per-field form of the
    guard's check (a region user sees every district's contests; an entry goes only to
    one of its library's district or region)."""
    if not is_tenant_data(model) or model.__tenant_keys__[0] == "id":
        return {}
    mapper, tenant = inspect(model), None
    for rel in mapper.relationships:  # the row's tenant, from its library (or its tenant)
        related = values.get(rel.key)
        if rel.direction is MANYTOONE and related is not None:
            for local, remote in rel.local_remote_pairs:
                if local.key == model.__tenant_keys__[0]:
                    tenant = getattr(related, rel.mapper.get_property_by_column(remote).key)
    found = {}
    for rel in mapper.relationships:
        remote_cls, related = rel.mapper.class_, values.get(rel.key)
        if rel.direction is not MANYTOONE or related is None or tenant is None \
                or not getattr(remote_cls, "__readable_from_ancestors__", False) \
                or remote_cls.__tenant_keys__[0] == "id":
            continue
        owner = getattr(related, remote_cls.__tenant_keys__[0])
        with session.no_autoflush:
            if owner is not None and owner not in lineage(session.connection(), tenant):
                found[rel.key] = misplaced_message()
    return found


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


def _changes(mapper, target, *, inserting: bool) -> dict:
    """Column key -> new value, for every column this write sets or changes. A relation
    set to another row counts as a change of its columns: before a flush (a view's or an
    API's early check) they still hold the old values."""
    state, out = inspect(target), {}
    for attr in mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if inserting and getattr(target, attr.key) is not None:
            out[attr.key] = getattr(target, attr.key)
        elif not inserting and hist.has_changes():
            out[attr.key] = hist.added[0] if hist.added else None
    for rel in mapper.relationships:
        if rel.direction is not MANYTOONE or rel.viewonly:
            continue
        hist = state.attrs[rel.key].history
        if not hist.added:
            continue
        related = hist.added[0]
        for local, remote in rel.local_remote_pairs:
            key = mapper.get_property_by_column(local).key
            value = None if related is None else getattr(related, rel.mapper.get_property_by_column(remote).key)
            if value is None and related is not None:
                continue  # a row not flushed yet: the flush itself checks it
            committed = state.committed_state.get(key, getattr(target, key))
            if inserting or value != committed:
                out[key] = value
    return out


def assert_writable(session, item) -> None:
    """Refuse early, with its reason and before anything is written, a change the guard
    would refuse at the flush: the row's place, the role's fields, a move of a row that
    others refer to, a reference the row's tenant may not use."""
    with session.no_autoflush:  # the checks read: the change itself waits
        _check_row(inspect(type(item)), session.connection(), item, old=inspect(item).persistent,
                   session=session)


def _check_row(mapper, connection, target, *, old: bool, deleting: bool = False, session=None) -> None:
    session = session or inspect(target).session
    if session is None or not is_tenant_data(type(target)) or not session.info.get(ORM_LAYER_KEY, True):
        return
    scope, cls = current_scope(session), type(target)
    changes = _changes(mapper, target, inserting=not old)
    if not scope.unrestricted:  # the row is visible (it was loaded, or refers to visible rows)
        keys = tuple(None if k is None else changes.get(k, getattr(target, k)) for k in cls.__tenant_keys__)
        if not scope.can_write(cls, *keys):
            raise NotPermitted(cls.__tablename__)
        if old and not scope.can_write(cls, *_keys(target, history=True)):
            raise NotPermitted(cls.__tablename__)
        _check_fields(mapper, target, scope, changes, old=old)
    _check_references(mapper, connection, target, scope, changes, memo=session.info.get(REFERENCES_SEEN))
    if old and not deleting:
        _check_move(mapper, connection, target, scope, changes)


def _check_fields(mapper, target, scope: Scope, changes: dict, *, old: bool) -> None:
    """A role that may change only some fields of a record changes only those, and
    nothing of a record that froze when a field was set (a judged contest entry). The
    tenant keys are fields like any other: a role that may change a library's contacts
    may not move it to another district; a new row is placed where can_write allows."""
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
    allowed = set(permitted) | {"id"}
    if not old:
        allowed |= set(filter(None, type(target).__tenant_keys__))
    for key in permitted:  # a relation allows its own columns
        prop = mapper.attrs.get(key)
        if prop is not None and hasattr(prop, "local_columns"):
            allowed |= {mapper.get_property_by_column(c).key for c in prop.local_columns}
    for key in changes:
        if key not in allowed:
            raise NotPermitted(key)


# A session that writes many rows at once in one scope (an import) remembers here the
# references it has found visible: a thousand staff of one library ask once.
REFERENCES_SEEN = "references_seen"


def _check_references(mapper, connection, target, scope: Scope, changes: dict, memo: dict | None = None) -> None:
    """Ids a row refers to (its library, its contest...) must be visible to the user,
    and a row readable from below (a contest) is used only by its own tenant's rows and
    those of the tenants under it."""
    cls = type(target)
    moved = any(k in changes for k in cls.__tenant_keys__ if k)
    for rel in mapper.relationships:
        remote_cls = rel.mapper.class_
        if rel.direction is not MANYTOONE or rel.viewonly or not is_tenant_data(remote_cls):
            continue
        pairs = rel.local_remote_pairs
        locals_ = [mapper.get_property_by_column(local).key for local, _ in pairs]
        shared = getattr(remote_cls, "__readable_from_ancestors__", False) \
            and remote_cls.__tenant_keys__[0] != "id" and cls.__tenant_keys__[0] != "id"
        if not any(k in changes for k in locals_) and not (shared and moved):
            continue
        values = [changes.get(k, getattr(target, k)) for k in locals_]
        if any(v is None for v in values):
            continue  # a missing required reference is the database's NOT NULL error
        where = [remote == value for (_, remote), value in zip(pairs, values)]
        seen = (remote_cls, tuple(values))
        if not scope.unrestricted and (memo is None or seen not in memo):
            query = select(rel.mapper.primary_key[0]).where(*where)
            clause = scope.read_clause(remote_cls)
            if clause is not None:
                query = query.where(clause)
            if connection.execute(query).first() is None:
                raise OutOfScope(remote_cls.__name__)
            if memo is not None:
                memo[seen] = True
        if shared:
            owner = connection.scalar(select(getattr(remote_cls, remote_cls.__tenant_keys__[0])).where(*where))
            tenant = changes.get(cls.__tenant_keys__[0], getattr(target, cls.__tenant_keys__[0]))
            if owner is not None and tenant is not None and owner not in lineage(connection, tenant):
                raise Misplaced(rel.key)


def lineage(connection, tenant_id: int) -> set[int]:
    """The tenant and every tenant above it."""
    tenant = Model.metadata.tables["tenant"]
    seen, current = set(), tenant_id
    while current is not None and current not in seen:
        seen.add(current)
        current = connection.scalar(select(tenant.c.parent_id).where(tenant.c.id == current))
    return seen


def _check_move(mapper, connection, target, scope: Scope, changes: dict) -> None:
    """A row changes its tenant only while nothing refers to it: moving a library would
    leave its staff, clubs, outreach points and entries in the old district (the
    composite keys (tenant_id, library_id) refuse it), moving a contest would leave
    entries of libraries that may not enter it."""
    cls = type(target)
    if not any(k in changes for k in cls.__tenant_keys__ if k):
        return
    from app.dependents import move_refusal

    message = move_refusal(connection, scope, target)
    if message:
        raise Occupied(message)


@event.listens_for(Model, "before_insert", propagate=True)
def _guard_insert(mapper, connection, target):
    _check_row(mapper, connection, target, old=False)


@event.listens_for(Model, "before_update", propagate=True)
def _guard_update(mapper, connection, target):
    _check_row(mapper, connection, target, old=True)


@event.listens_for(Model, "before_delete", propagate=True)
def _guard_delete(mapper, connection, target):
    _check_row(mapper, connection, target, old=True, deleting=True)


# -- PostgreSQL row-level security ---------------------------------------------

def _csv(ids) -> str:
    return ",".join(str(i) for i in sorted(ids or ()))


# A read-only scope (a visitor of the public pages) is, to the policies, branch staff of a
# library that does not exist: rows of its subtree are read, but no staff and no audit
# trail, and no insert, update or delete passes (app/tenancy/rls.py, migration 0004).
NO_LIBRARY = "-1"


def _apply_settings(connection, scope: Scope) -> None:
    if connection.dialect.name != "postgresql":
        return
    library = NO_LIBRARY if scope.read_only else str(scope.library_id or "")
    # set_config(..., true) lasts for this transaction only: pooled connections keep nothing.
    connection.execute(
        text("SELECT set_config('app.all', :all, true), set_config('app.tenants', :tenants, true),"
             " set_config('app.ancestors', :ancestors, true), set_config('app.library', :library, true),"
             " set_config('app.node', :node, true)"),
        {"all": "on" if scope.unrestricted else "off", "tenants": _csv(scope.visible),
         "ancestors": _csv(scope.ancestors), "library": library,
         "node": str(scope.node_id or "")},
    )


@event.listens_for(Session, "after_begin")
def _settings_for_transaction(session, transaction, connection):
    _apply_settings(connection, current_scope(session))
