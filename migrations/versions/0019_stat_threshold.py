"""The change from last year, in per cent, beyond which a region's statistical reports need
a note (app/statistics/checks.py): set by the region for all its districts; 20 where unset.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


CHECK = "stat_threshold BETWEEN 1 AND 100"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # As 0017: in place, not a batch copy of the table every other one refers to.
        op.execute(f"ALTER TABLE tenant ADD COLUMN stat_threshold INTEGER CONSTRAINT ck_tenant_stat_threshold "
                   f"CHECK ({CHECK})")
        return
    op.add_column("tenant", sa.Column("stat_threshold", sa.Integer(), nullable=True))
    op.create_check_constraint("ck_tenant_stat_threshold", "tenant", CHECK)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE tenant DROP COLUMN stat_threshold")
        return
    op.drop_constraint("ck_tenant_stat_threshold", "tenant", type_="check")
    op.drop_column("tenant", "stat_threshold")
