"""The events journal: each library's planned and held events (app/records/event.py).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


# What an event refers to carries its tenant (tests/test_schema.py: distributable by tenant_id).
REFERRED = ("club", "outreach", "staff")


def upgrade():
    for table in REFERRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(f"uq_{table}_tenant_id", ["tenant_id", "id"])
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.String(length=5), nullable=True),
    sa.Column('form', sa.Enum('presentation', 'evening', 'exhibition', 'meeting', 'quiz', 'master_class', 'lecture', 'round_table', 'excursion', 'film', 'marathon', 'competition', 'other', name='ck_eventform', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('theme', sa.Enum('patriotic', 'local_history', 'ecology', 'family', 'health', 'civics', 'literature', 'other', name='ck_eventtheme', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('format', sa.Enum('on_site', 'outreach', 'online', name='ck_eventformat', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=True),
    sa.Column('link', sa.String(length=255), nullable=True),
    sa.Column('audience', sa.Enum('children', 'youth', 'adults', 'seniors', 'families', 'disabled', name='ck_audience', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('status', sa.Enum('planned', 'held', 'cancelled', name='ck_eventstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('children', sa.Integer(), nullable=True),
    sa.Column('youth', sa.Integer(), nullable=True),
    sa.Column('club_id', sa.Integer(), nullable=True),
    sa.Column('outreach_id', sa.Integer(), nullable=True),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('programme', sa.String(length=255), nullable=True),
    sa.Column('partners', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('attendance >= 0 AND children >= 0 AND youth >= 0', name='ck_event_counts'),
    sa.CheckConstraint('children + youth <= attendance', name='ck_event_parts'),
    sa.ForeignKeyConstraint(['tenant_id', 'club_id'], ['club.tenant_id', 'club.id'], name='fk_event_club'),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name='fk_event_contest'),
    sa.ForeignKeyConstraint(['tenant_id', 'outreach_id'], ['outreach.tenant_id', 'outreach.id'], name='fk_event_outreach'),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name='fk_event_staff'),
    sa.ForeignKeyConstraint(['tenant_id', 'library_id'], ['library.tenant_id', 'library.id'], name='fk_event_library'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_event_tenant'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_tenant_day', ['tenant_id', 'held_on'], unique=False)
        batch_op.create_index('ix_event_tenant_library', ['tenant_id', 'library_id'], unique=False)
    enable_tenant_rls("event")


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_tenant_library')
        batch_op.drop_index('ix_event_tenant_day')

    op.drop_table('event')
    for table in REFERRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_tenant_id", type_="unique")
