"""Methodological work: each tenant's field visits, consultations, seminars and
monitoring, with the libraries they were for (app/records/method_activity.py).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('method_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('field_visit', 'consultation', 'group_consultation', 'seminar', 'practicum', 'training_class', 'meeting', 'monitoring', 'other', name='ck_activitykind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('channel', sa.Enum('in_person', 'phone', 'email', 'social_group', 'video', name='ck_channel', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('topic', sa.String(length=255), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.String(length=500), nullable=True),
    sa.Column('follow_up_due', sa.Date(), nullable=True),
    sa.Column('follow_up_done', sa.Boolean(), nullable=False),
    sa.Column('others', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('hours > 0 AND hours <= 1000', name='ck_method_activity_hours'),
    sa.CheckConstraint('others >= 0', name='ck_method_activity_others'),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name='fk_method_activity_staff'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_method_activity_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_method_activity_tenant_id')
    )
    with op.batch_alter_table('method_activity', schema=None) as batch_op:
        batch_op.create_index('ix_method_activity_tenant_day', ['tenant_id', 'held_on'], unique=False)

    op.create_table('method_activity_library',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('library_tenant_id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['library_tenant_id', 'library_id'], ['library.tenant_id', 'library.id'], name='fk_method_activity_library_library'),
    sa.ForeignKeyConstraint(['tenant_id', 'record_id'], ['method_activity.tenant_id', 'method_activity.id'], name='fk_method_activity_library_record', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'library_id')
    )
    with op.batch_alter_table('method_activity_library', schema=None) as batch_op:
        batch_op.create_index('ix_method_activity_library_tenant', ['library_tenant_id', 'library_id'], unique=False)
    # and its link table's: the libraries' link only, the one this schema has (0012 adds the attendees')
    enable_tenant_rls("method_activity", links=(("method_activity_library", "library_tenant_id"),))


def downgrade():
    with op.batch_alter_table('method_activity_library', schema=None) as batch_op:
        batch_op.drop_index('ix_method_activity_library_tenant')

    op.drop_table('method_activity_library')
    with op.batch_alter_table('method_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_method_activity_tenant_day')

    op.drop_table('method_activity')
