"""Each region and district has a time zone: Irkutsk is UTC+8, Sofia UTC+2.

Times (the audit trail's) are shown in the zone of the organisation they belong to, not
in UTC. Existing organisations get Sofia where their language is Bulgarian, else Moscow;
an operator corrects the others (Irkutsk...) on the organisation's screen.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=40), server_default="Europe/Moscow",
                                      nullable=False))
    if op.get_bind().dialect.name == "postgresql":  # row-level security binds the owner too (FORCE)
        op.execute("SELECT set_config('app.all', 'on', true)")
    op.execute("UPDATE tenant SET time_zone = 'Europe/Sofia' WHERE default_locale = 'bg'")


def downgrade():
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
