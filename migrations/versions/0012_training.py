"""Training: the staff who attended a methodological activity, and training programmes
with their classes, a session being an activity of one class (app/records/method_activity.py,
app/records/method_programme.py).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('method_programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('audience', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_method_programme_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_method_programme_tenant_id'),
    sa.UniqueConstraint('tenant_id', 'name', name='uq_method_programme_tenant_name')
    )
    op.create_table('method_programme_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'programme_id'], ['method_programme.tenant_id', 'method_programme.id'], name='fk_method_programme_class_programme'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_method_programme_class_tenant'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_method_programme_class_tenant_id'),
    sa.UniqueConstraint('tenant_id', 'programme_id', 'name', name='uq_method_programme_class_name')
    )
    with op.batch_alter_table('method_programme_class', schema=None) as batch_op:
        batch_op.create_index('ix_method_programme_class_tenant_programme', ['tenant_id', 'programme_id'], unique=False)

    op.create_table('method_activity_attendee',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('staff_tenant_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name='fk_method_activity_attendee_staff'),
    sa.ForeignKeyConstraint(['tenant_id', 'record_id'], ['method_activity.tenant_id', 'method_activity.id'], name='fk_method_activity_attendee_record', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'staff_id')
    )
    with op.batch_alter_table('method_activity_attendee', schema=None) as batch_op:
        batch_op.create_index('ix_method_activity_attendee_tenant', ['staff_tenant_id', 'staff_id'], unique=False)

    with op.batch_alter_table('method_activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_class_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_method_activity_programme_class', 'method_programme_class',
                                    ['tenant_id', 'programme_class_id'], ['tenant_id', 'id'])

    enable_tenant_rls("method_programme")
    enable_tenant_rls("method_programme_class")
    # Read also by the tenants of the staff who attended: its policies again, and the new link table's.
    enable_tenant_rls("method_activity", links=(("method_activity_library", "library_tenant_id"),
                                                ("method_activity_attendee", "staff_tenant_id")))


def downgrade():
    # The activity's policies as 0009 left them, before the link table they name is dropped.
    enable_tenant_rls("method_activity", links=(("method_activity_library", "library_tenant_id"),))
    with op.batch_alter_table('method_activity', schema=None) as batch_op:
        batch_op.drop_constraint('fk_method_activity_programme_class', type_='foreignkey')
        batch_op.drop_column('programme_class_id')

    with op.batch_alter_table('method_activity_attendee', schema=None) as batch_op:
        batch_op.drop_index('ix_method_activity_attendee_tenant')
    op.drop_table('method_activity_attendee')
    with op.batch_alter_table('method_programme_class', schema=None) as batch_op:
        batch_op.drop_index('ix_method_programme_class_tenant_programme')
    op.drop_table('method_programme_class')
    op.drop_table('method_programme')
