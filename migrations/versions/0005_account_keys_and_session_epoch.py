"""User names and e-mail addresses unique whatever their case; a session epoch per user.

Sign-in finds a user by name or e-mail regardless of case, so two accounts whose names
differ only in case ("Admin", "ADMIN") would lock each other out. `username_key` and
`email_key` hold the case-folded values (app.security.models.account_key), each under a
unique index: the same rule on SQLite and PostgreSQL, for every alphabet (SQLite's
lower() folds ASCII only). Existing clashes stop the migration with a list of them, for
the operator to rename one account of each pair first.

`session_epoch` counts the user's password changes and resets: a session or token
issued under an older epoch no longer signs anyone in (app.security.sessions).

Revision ID: 0005
Revises: 0004
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _key(value):
    # The same folding as app.security.models.account_key (kept here: a migration is frozen).
    return unicodedata.normalize("NFKC", value or "").strip().casefold() or None


def upgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_key", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("email_key", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))

    conn = op.get_bind()
    users = sa.table("ab_user", sa.column("id", sa.Integer), sa.column("username", sa.String),
                     sa.column("email", sa.String), sa.column("username_key", sa.String),
                     sa.column("email_key", sa.String))
    seen, clashes = {}, []
    for row in conn.execute(sa.select(users.c.id, users.c.username, users.c.email).order_by(users.c.id)):
        keys = {"username": _key(row.username), "email": _key(row.email)}
        for field, key in keys.items():
            if key is None:
                continue
            other = seen.setdefault((field, key), row)
            if other is not row:
                clashes.append(f"{field} {getattr(other, field)!r} (id {other.id}) and "
                               f"{getattr(row, field)!r} (id {row.id})")
        conn.execute(users.update().where(users.c.id == row.id).values(
            username_key=keys["username"], email_key=keys["email"]))
    if clashes:
        raise RuntimeError("Accounts differ only in the case of their user name or e-mail; rename "
                           "one of each pair, then migrate again:\n  " + "\n  ".join(clashes))

    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.alter_column("username_key", existing_type=sa.String(length=128), nullable=False)
        batch_op.create_index("uq_ab_user_username_key", ["username_key"], unique=True)
        batch_op.create_index("uq_ab_user_email_key", ["email_key"], unique=True)


def downgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.drop_index("uq_ab_user_email_key")
        batch_op.drop_index("uq_ab_user_username_key")
        batch_op.drop_column("session_epoch")
        batch_op.drop_column("email_key")
        batch_op.drop_column("username_key")
