"""The PostgreSQL role the service connects as: it does not own the tables, is not a
superuser and cannot bypass row-level security, so the policies apply to it."""
import re

from sqlalchemy import create_engine, text

GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
]


def grant_service_role(owner_url: str, role: str, password: str | None = None) -> None:
    """Create `role` if missing and grant it the data (not the schema) of the database.
    Run it as the tables' owner after every migration that adds a table."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"not a plain role name: {role!r}")
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"))
        if password is not None:
            conn.execute(text(f"ALTER ROLE {role} PASSWORD :p"), {"p": password})
        for statement in GRANTS:
            conn.execute(text(statement.format(role=role)))
    engine.dispose()
