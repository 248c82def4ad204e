"""The deadlines of a year's statistics (app/records/stat_deadline.py).

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stat_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('libraries', 'districts', name='ck_deadlinelevel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name='ck_stat_deadline_year'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_stat_deadline_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'year', 'level', name='uq_stat_deadline_year_level')
    )
    enable_tenant_rls("stat_deadline")


def downgrade():
    op.drop_table('stat_deadline')
