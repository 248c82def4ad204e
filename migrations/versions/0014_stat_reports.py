"""The annual statistical reports of libraries and the history of their steps
(app/records/stat_report.py).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stat_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('edition', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'approved', name='ck_statreportstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name='ck_stat_report_year'),
    sa.ForeignKeyConstraint(['tenant_id', 'library_id'], ['library.tenant_id', 'library.id'], name='fk_stat_report_library'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_stat_report_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_stat_report_tenant_id'),
    sa.UniqueConstraint('tenant_id', 'library_id', 'year', name='uq_stat_report_library_year')
    )
    with op.batch_alter_table('stat_report', schema=None) as batch_op:
        batch_op.create_index('ix_stat_report_tenant_library', ['tenant_id', 'library_id'], unique=False)
        batch_op.create_index('ix_stat_report_tenant_year', ['tenant_id', 'year', 'status'], unique=False)

    op.create_table('stat_report_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'returned', 'approved', name='ck_stat_report_step_from', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'returned', 'approved', name='ck_stat_report_step_to', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'library_id'], ['library.tenant_id', 'library.id'], name='fk_stat_report_step_library'),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['stat_report.tenant_id', 'stat_report.id'], name='fk_stat_report_step_report', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_stat_report_step_tenant'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stat_report_step', schema=None) as batch_op:
        batch_op.create_index('ix_stat_report_step_tenant_library', ['tenant_id', 'library_id'], unique=False)
        batch_op.create_index('ix_stat_report_step_tenant_report', ['tenant_id', 'report_id'], unique=False)
    enable_tenant_rls("stat_report", links=())
    enable_tenant_rls("stat_report_step", links=())



def downgrade():
    with op.batch_alter_table('stat_report_step', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_report_step_tenant_report')
        batch_op.drop_index('ix_stat_report_step_tenant_library')

    op.drop_table('stat_report_step')
    with op.batch_alter_table('stat_report', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_report_tenant_year')
        batch_op.drop_index('ix_stat_report_tenant_library')

    op.drop_table('stat_report')
