"""The audit trail, and a version on every editable record.

audit_entry holds who changed which record, when, and its values before and after
(app/audit.py). Its rows carry the tenant of the record they describe, or none for
Admins' accounts and roles. On PostgreSQL its row-level security lets a user read the
rows of their subtree (branch staff none, Admins all) and add rows only there; no
policy allows UPDATE or DELETE, so the trail cannot be changed through the service.

`version` counts the saves of a record (SQLAlchemy's version_id_col): an edit started
from an older version is refused instead of overwriting the newer one.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

VERSIONED = ("tenant", "library", "staff", "club", "outreach", "contest", "contest_entry")
IN_SUBTREE = "tenant_id = ANY(app_ids('app.tenants'))"


def upgrade():
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=128), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.Enum("insert", "update", "delete", name="ck_auditaction",
                                    native_enum=False, create_constraint=True, length=20),
                  nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_tenant_at", ["tenant_id", "at"], unique=False)
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE audit_entry ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_entry FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY audit_entry_read ON audit_entry FOR SELECT"
               f" USING (app_all() OR (app_library() IS NULL AND {IN_SUBTREE}))")
    op.execute(f"CREATE POLICY audit_entry_insert ON audit_entry FOR INSERT WITH CHECK (app_all() OR {IN_SUBTREE})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for action in ("read", "insert"):
            op.execute(f"DROP POLICY IF EXISTS audit_entry_{action} ON audit_entry")
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_tenant_at")
    op.drop_table("audit_entry")
