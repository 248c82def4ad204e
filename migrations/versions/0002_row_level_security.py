"""Row-level security on every tenant table (PostgreSQL only).

The policies read per-transaction settings that the application sets with
set_config(..., true) at the start of each transaction (app/tenancy/session.py):
app.all ('on' for an operator), app.tenants and app.ancestors (comma-separated
tenant ids), app.node (the user's tenant) and app.library (branch staff's library).
FORCE makes the policies apply to the table owner too; only superusers and
BYPASSRLS roles pass them, so the service connects as a role that is neither.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTIONS = """
CREATE OR REPLACE FUNCTION app_all() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('app.all', true), '') = 'on' $$;
CREATE OR REPLACE FUNCTION app_ids(name text) RETURNS int[] LANGUAGE sql STABLE AS
  $$ SELECT string_to_array(NULLIF(current_setting(name, true), ''), ',')::int[] $$;
CREATE OR REPLACE FUNCTION app_library() RETURNS int LANGUAGE sql STABLE AS
  $$ SELECT NULLIF(current_setting('app.library', true), '')::int $$;
CREATE OR REPLACE FUNCTION app_node() RETURNS int LANGUAGE sql STABLE AS
  $$ SELECT NULLIF(current_setting('app.node', true), '')::int $$;
"""

IN_SUBTREE = "{tenant} = ANY(app_ids('app.tenants'))"
OWN_LIBRARY = "(app_library() IS NULL OR {library} = app_library())"

# table: (read condition, write condition), as in app/tenancy/scope.py
POLICIES = {
    "tenant": (IN_SUBTREE.format(tenant="id") + " OR id = ANY(app_ids('app.ancestors'))",
               "id = app_node() AND app_library() IS NULL"),
    "library": (IN_SUBTREE.format(tenant="tenant_id"),
                IN_SUBTREE.format(tenant="tenant_id") + " AND " + OWN_LIBRARY.format(library="id")),
    "contest": (IN_SUBTREE.format(tenant="tenant_id") + " OR tenant_id = ANY(app_ids('app.ancestors'))",
                IN_SUBTREE.format(tenant="tenant_id") + " AND app_library() IS NULL"),
    "staff": (IN_SUBTREE.format(tenant="tenant_id") + " AND " + OWN_LIBRARY.format(library="library_id"),
              IN_SUBTREE.format(tenant="tenant_id") + " AND " + OWN_LIBRARY.format(library="library_id")),
}
for _table in ("club", "outreach", "contest_entry"):
    POLICIES[_table] = (IN_SUBTREE.format(tenant="tenant_id"),
                        IN_SUBTREE.format(tenant="tenant_id") + " AND " + OWN_LIBRARY.format(library="library_id"))


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS)
    for table, (read, write) in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (app_all() OR {read})")
        op.execute(f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK (app_all() OR ({write}))")
        op.execute(f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING (app_all() OR ({write}))"
                   f" WITH CHECK (app_all() OR ({write}))")
        op.execute(f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING (app_all() OR ({write}))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        for action in ("read", "insert", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS {table}_{action} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS app_all(), app_ids(text), app_library(), app_node()")
