"""Methodological publications, each with its file or link (app/records/method_publication.py).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from app.tenancy.rls import enable_tenant_rls

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('method_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('genre', sa.Enum('scripts', 'reading_list', 'guide', 'methodological', 'calendar', 'other', name='ck_publicationgenre', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('audience', sa.Enum('specialists', 'children', 'youth', 'adults', 'seniors', 'families', 'disabled', name='ck_publicationaudience', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_type', sa.String(length=10), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_key', sa.String(length=80), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('pages > 0 AND pages <= 10000', name='ck_method_publication_pages'),
    sa.CheckConstraint('(file_key IS NULL) = (file_name IS NULL) AND (file_key IS NULL) = (file_type IS NULL) AND (file_key IS NULL) = (file_size IS NULL)', name='ck_method_publication_file'),
    sa.ForeignKeyConstraint(['tenant_id', 'staff_id'], ['staff.tenant_id', 'staff.id'], name='fk_method_publication_staff'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name='fk_method_publication_tenant'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('method_publication', schema=None) as batch_op:
        batch_op.create_index('ix_method_publication_tenant_year', ['tenant_id', 'year'], unique=False)
    enable_tenant_rls("method_publication")


def downgrade():
    with op.batch_alter_table('method_publication', schema=None) as batch_op:
        batch_op.drop_index('ix_method_publication_tenant_year')

    op.drop_table('method_publication')
