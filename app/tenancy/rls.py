"""Row-level security policies of a tenant table (PostgreSQL), from its model's marks.

The conditions are those of the session rule (app/tenancy/scope.py), said in SQL over the
per-transaction settings of app/tenancy/session.py: a row is read in the user's subtree
(and from the tenants above where the model is `__readable_from_ancestors__`; in the own
library only where it is `__private_to_library__`), and written in the subtree, in the
own library for branch staff. Each setting is read once per statement (a scalar subquery,
migration 0004). A migration that adds a table calls `enable_tenant_rls(table)`; one that
changes a model's marks calls it again.
"""
from __future__ import annotations

from .scope import concerned_links

# The settings, each read once per statement. (The cast keeps `= ANY(...)` comparing with
# the array, not with the subquery's rows.)
SETTINGS = {"all": "(SELECT app_all())", "tenants": "(SELECT app_ids('app.tenants'))::int[]",
            "ancestors": "(SELECT app_ids('app.ancestors'))::int[]", "library": "(SELECT app_library())",
            "node": "(SELECT app_node())"}
ACTIONS = ("read", "insert", "update", "delete")


def conditions(model, f: dict = SETTINGS, links=None) -> tuple[str, str]:
    """(read condition, write condition) of the rows of `model`; `links`: its concerned links
    as a migration knew them (by default, the model's marks as they are now)."""
    tenant_key, library_key = model.__tenant_keys__
    in_subtree = f"{tenant_key} = ANY({f['tenants']})"
    from_ancestors = f" OR {tenant_key} = ANY({f['ancestors']})"
    if tenant_key == "id":  # the tenant table: read with its ancestors, written as one's own node
        return in_subtree + from_ancestors, f"id = {f['node']} AND {f['library']} IS NULL"
    own_library = f"({f['library']} IS NULL OR {library_key} = {f['library']})" if library_key \
        else f"{f['library']} IS NULL"  # branch staff write rows of their library only
    read = in_subtree
    if getattr(model, "__readable_from_ancestors__", False):
        read += from_ancestors
    for link, concerned in concerned_links(model) if links is None else links:  # about the user's subtree
        read += (f" OR ({tenant_key} = ANY({f['ancestors']}) AND EXISTS (SELECT 1 FROM {link} link"
                 f" WHERE link.record_id = {model.__tablename__}.id AND link.tenant_id = {model.__tablename__}.{tenant_key}"
                 f" AND link.{concerned} = ANY({f['tenants']})))")
    if getattr(model, "__private_to_library__", False):
        read += " AND " + own_library
    return read, in_subtree + " AND " + own_library


def statements(model, f: dict = SETTINGS, links=None) -> list[str]:
    """The SQL that (re)creates the policies of `model`'s table, FORCEd on its owner too."""
    return _policies(model.__tablename__, *conditions(model, f, links), f)


def _policies(table: str, read: str, write: str, f: dict) -> list[str]:
    every = f["all"]
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        *(f"DROP POLICY IF EXISTS {table}_{action} ON {table}" for action in ACTIONS),
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({every} OR {read})",
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({every} OR ({write}))",
        f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({every} OR ({write}))"
        f" WITH CHECK ({every} OR ({write}))",
        f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({every} OR ({write}))",
    ]


def link_statements(table: str, concerned: str = "library_tenant_id", f: dict = SETTINGS) -> list[str]:
    """The policies of a link table (record_id, tenant_id: its record's; `concerned`: the
    tenant of the library or staff member it links to): read by both tenants, written by the
    record's."""
    read = f"tenant_id = ANY({f['tenants']}) OR {concerned} = ANY({f['tenants']})"
    return _policies(table, read, f"tenant_id = ANY({f['tenants']}) AND {f['library']} IS NULL", f)


def own_link_statements(table: str, f: dict = SETTINGS) -> list[str]:
    """The policies of a link table between two rows of one tenant (its `tenant_id`, both
    rows'): read and written by that tenant, as the record it belongs to."""
    subtree = f"tenant_id = ANY({f['tenants']})"
    return _policies(table, subtree, f"{subtree} AND {f['library']} IS NULL", f)


def enable_link_rls(table: str) -> None:
    """In a migration: the policies of a link table of one tenant (a meeting's staff present)."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in own_link_statements(table):
        op.execute(statement)


def tenant_model(table: str):
    """The mapped tenant class of `table`."""
    from app.tenancy.session import tenant_classes

    for cls in tenant_classes():
        if cls.__tablename__ == table:
            return cls
    raise LookupError(f"{table} is not a tenant table: its model has no __tenant_keys__")


def enable_tenant_rls(table: str, links: tuple[tuple[str, str], ...] | None = None) -> None:
    """In a migration: give `table` the policies its model's marks call for (PostgreSQL;
    nothing on SQLite, where the session rule and the write guard are the boundary), and its
    link tables theirs. `links` pins the concerned links to those the migration's schema has
    (a later migration adds one: the earlier must not name a table not created yet)."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    model = tenant_model(table)
    links = concerned_links(model) if links is None else links
    for statement in statements(model, links=links):
        op.execute(statement)
    for link, concerned in links:
        for statement in link_statements(link, concerned):
            op.execute(statement)


def disable_tenant_rls(table: str) -> None:
    """In a downgrade that keeps the table: drop its policies."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    for action in ACTIONS:
        op.execute(f"DROP POLICY IF EXISTS {table}_{action} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
