"""Meetings and their agenda items, with the staff present (app/records/meeting.py).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_link_rls, enable_tenant_rls

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('seminar', 'conference', 'meeting', 'round_table', 'other', name='ck_meetingkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=True),
    sa.Column('topic', sa.String(length=500), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=True),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('guests', sa.Text(), nullable=True),
    sa.Column('others', sa.Integer(), nullable=True),
    sa.Column('conclusions', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('others >= 0', name='ck_meeting_others'),
    sa.ForeignKeyConstraint(['tenant_id', 'chair_id'], ['staff.tenant_id', 'staff.id'], name='fk_meeting_chair'),
    sa.ForeignKeyConstraint(['tenant_id', 'secretary_id'], ['staff.tenant_id', 'staff.id'], name='fk_meeting_secretary'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_meeting_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_meeting_tenant_id')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_tenant_day', ['tenant_id', 'held_on'], unique=False)

    op.create_table('meeting_attendee',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name='fk_meeting_attendee_meeting', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name='fk_meeting_attendee_staff'),
    sa.PrimaryKeyConstraint('tenant_id', 'meeting_id', 'staff_id', name='pk_meeting_attendee')
    )
    with op.batch_alter_table('meeting_attendee', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_attendee_staff', ['tenant_id', 'staff_id'], unique=False)

    op.create_table('meeting_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('speakers', sa.String(length=500), nullable=True),
    sa.Column('heard', sa.Text(), nullable=True),
    sa.Column('said', sa.Text(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('number > 0', name='ck_meeting_item_number'),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meeting.tenant_id', 'meeting.id'], name='fk_meeting_item_meeting', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'responsible_id'], ['staff.tenant_id', 'staff.id'], name='fk_meeting_item_responsible'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_meeting_item_tenant'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_item_tenant_meeting', ['tenant_id', 'meeting_id'], unique=False)
        batch_op.create_index('ix_meeting_item_tenant_due', ['tenant_id', 'due_on'], unique=False)
    enable_tenant_rls("meeting")
    enable_tenant_rls("meeting_item")
    enable_link_rls("meeting_attendee")


def downgrade():
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_item_tenant_due')
        batch_op.drop_index('ix_meeting_item_tenant_meeting')
    op.drop_table('meeting_item')
    with op.batch_alter_table('meeting_attendee', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_attendee_staff')
    op.drop_table('meeting_attendee')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_tenant_day')
    op.drop_table('meeting')
