"""The districts' statistical summaries and the history of their steps
(app/records/stat_summary.py).

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

STATUSES = ('draft', 'submitted', 'returned', 'approved')


def _status(name):
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table('stat_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', _status('ck_stat_summary_status'), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name='ck_stat_summary_year'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_stat_summary_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_stat_summary_tenant_id'),
    sa.UniqueConstraint('tenant_id', 'year', name='uq_stat_summary_year')
    )
    op.create_table('stat_summary_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_status', _status('ck_stat_summary_step_from'), nullable=True),
    sa.Column('to_status', _status('ck_stat_summary_step_to'), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'summary_id'], ['stat_summary.tenant_id', 'stat_summary.id'], name='fk_stat_summary_step_summary', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_stat_summary_step_tenant'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stat_summary_step', schema=None) as batch_op:
        batch_op.create_index('ix_stat_summary_step_tenant_summary', ['tenant_id', 'summary_id'], unique=False)
    enable_tenant_rls("stat_summary", links=())
    enable_tenant_rls("stat_summary_step", links=())


def downgrade():
    with op.batch_alter_table('stat_summary_step', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_summary_step_tenant_summary')
    op.drop_table('stat_summary_step')
    op.drop_table('stat_summary')
