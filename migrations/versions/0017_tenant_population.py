"""A region's or district's population, for the ratios per inhabitant of its statistics
(app/statistics/ratios.py): users per 100 inhabitants, stock per inhabitant. Unknown until
someone enters it on the organisation's screen.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


CHECK = "population BETWEEN 1 AND 20000000"  # app.models.MAX_POPULATION


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its check in place; a batch would copy the tenant table,
        # which every other table refers to.
        op.execute(f"ALTER TABLE tenant ADD COLUMN population INTEGER CONSTRAINT ck_tenant_population CHECK ({CHECK})")
        return
    op.add_column("tenant", sa.Column("population", sa.Integer(), nullable=True))
    op.create_check_constraint("ck_tenant_population", "tenant", CHECK)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE tenant DROP COLUMN population")  # SQLite 3.35 and later
        return
    op.drop_constraint("ck_tenant_population", "tenant", type_="check")
    op.drop_column("tenant", "population")
