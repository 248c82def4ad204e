"""Row-level security policies that read their settings once per statement.

The policies of 0002 and 0003 call app_all(), app_ids(), app_library() and app_node()
inline, and PostgreSQL evaluated them for every row it read: 4 ms of a region's count of
1,200 staff went into parsing app.tenants again and again. Each call is now a scalar
subquery, which PostgreSQL evaluates once per statement (an InitPlan). The conditions
themselves are those of 0002 and 0003, unchanged.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (The cast keeps `= ANY(...)` comparing with the array, not with the subquery's rows.)
ONCE = {"all": "(SELECT app_all())", "tenants": "(SELECT app_ids('app.tenants'))::int[]",
        "ancestors": "(SELECT app_ids('app.ancestors'))::int[]", "library": "(SELECT app_library())",
        "node": "(SELECT app_node())"}
PER_ROW = {"all": "app_all()", "tenants": "app_ids('app.tenants')",
           "ancestors": "app_ids('app.ancestors')", "library": "app_library()", "node": "app_node()"}


def policies(f: dict) -> dict[str, tuple[str, str]]:
    """table: (read condition, write condition), as in app/tenancy/scope.py."""
    def in_subtree(tenant):
        return f"{tenant} = ANY({f['tenants']})"

    def own_library(library):
        return f"({f['library']} IS NULL OR {library} = {f['library']})"

    out = {
        "tenant": (in_subtree("id") + f" OR id = ANY({f['ancestors']})",
                   f"id = {f['node']} AND {f['library']} IS NULL"),
        "library": (in_subtree("tenant_id"), in_subtree("tenant_id") + " AND " + own_library("id")),
        "contest": (in_subtree("tenant_id") + f" OR tenant_id = ANY({f['ancestors']})",
                    in_subtree("tenant_id") + f" AND {f['library']} IS NULL"),
        "staff": (in_subtree("tenant_id") + " AND " + own_library("library_id"),
                  in_subtree("tenant_id") + " AND " + own_library("library_id")),
    }
    for table in ("club", "outreach", "contest_entry"):
        out[table] = (in_subtree("tenant_id"), in_subtree("tenant_id") + " AND " + own_library("library_id"))
    return out


def create(f: dict) -> None:
    every = f["all"]
    for table, (read, write) in policies(f).items():
        for action in ("read", "insert", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS {table}_{action} ON {table}")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({every} OR {read})")
        op.execute(f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({every} OR ({write}))")
        op.execute(f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({every} OR ({write}))"
                   f" WITH CHECK ({every} OR ({write}))")
        op.execute(f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({every} OR ({write}))")
    # The audit trail (0003): read in the subtree, by all but branch staff; written with the change.
    subtree = f"tenant_id = ANY({f['tenants']})"
    for action in ("read", "insert"):
        op.execute(f"DROP POLICY IF EXISTS audit_entry_{action} ON audit_entry")
    op.execute("CREATE POLICY audit_entry_read ON audit_entry FOR SELECT"
               f" USING ({every} OR ({f['library']} IS NULL AND {subtree}))")
    op.execute(f"CREATE POLICY audit_entry_insert ON audit_entry FOR INSERT WITH CHECK ({every} OR {subtree})")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        create(ONCE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        create(PER_ROW)
