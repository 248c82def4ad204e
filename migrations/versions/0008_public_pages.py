"""Each region and district may publish its libraries and planned events (app/public).

`public_pages`: on for every organisation unless it switches them off; `public_frame_origins`:
the sites (origins, separated by spaces) that may show those pages in a frame.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # The server default fills the rows there are: no UPDATE, so row-level security (FORCEd
    # on the owner too) has nothing to refuse.
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_pages", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("public_frame_origins", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_column("public_frame_origins")
        batch_op.drop_column("public_pages")
