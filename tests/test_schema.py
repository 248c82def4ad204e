"""The schema: migrations agree with the models, and every tenant table follows the
rules that keep per-tenant queries cheap and the data distributable by tenant_id."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import UniqueConstraint, inspect, text

from app.tenancy.scope import concerned_links
from app.tenancy.session import is_tenant_data, tenant_classes

from .conftest import POSTGRES

# Mapped classes that hold no tenant data: FAB's security tables, named one by one.
NOT_TENANT_DATA = {"Permission", "ViewMenu", "Role", "PermissionView", "User", "Account",
                   "Group", "RegisterUser", "ApiKey",
                   "AuditEntry"}  # has rows of no tenant (Admins' accounts, roles): scoped by its screen


def declared_tenant_tables() -> set[str]:
    from app.records import record_types

    return {t.table for t in record_types().values() if t.model is not None and is_tenant_data(t.model)}


TENANT_TABLES = declared_tenant_tables()
# Tables linking a record to the libraries or staff it concerns (MethodActivity's), or to other
# rows of its tenant (a meeting's staff present): tenant data too.
LINK_TABLES = {link for cls in tenant_classes() for link, _column in concerned_links(cls)} | {
    table.name for table in Model.metadata.tables.values()
    if "tenant_id" in table.c and table.name not in {m.local_table.name for m in Model.registry.mappers}}


def test_migrations_match_the_models(owner_engine):
    with owner_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Model.metadata)
    assert diff == []


def test_every_mapped_class_is_tenant_data_or_allowlisted(app):
    for mapper in Model.registry.mappers:
        cls = mapper.class_
        assert is_tenant_data(cls) or cls.__name__ in NOT_TENANT_DATA, \
            f"{cls.__name__} is neither tenant data nor on the allowlist"
    # Every table of tenant data is a declared record type (app/records), and the reverse.
    assert {cls.__tablename__ for cls in tenant_classes()} == TENANT_TABLES
    assert {"tenant", "library", "staff", "club", "contest"} <= TENANT_TABLES


def test_the_policy_helper_says_what_the_first_migrations_said():
    """enable_tenant_rls() derives a table's policies from its model's marks; for the
    tables of migration 0004 it gives that migration's conditions word for word."""
    import importlib.util
    from pathlib import Path

    from app.tenancy.rls import conditions, tenant_model

    path = Path(__file__).parents[1] / "migrations/versions/0004_policies_read_settings_once.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    written = migration.policies(migration.ONCE)
    assert written
    for table, (read, write) in written.items():
        assert conditions(tenant_model(table)) == (read, write), table


def test_tenant_tables_carry_and_lead_with_tenant_id():
    for cls in tenant_classes():
        table = cls.__table__
        if cls.__tenant_keys__[0] == "id":
            continue  # the tenant table itself
        assert not table.c.tenant_id.nullable, table.name
        for index in table.indexes:
            assert list(index.columns)[0].name == "tenant_id", f"{table.name}.{index.name}"
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                assert "tenant_id" in constraint.columns, f"{table.name}.{constraint.name}"


@pytest.mark.skipif(not POSTGRES, reason="row-level security is PostgreSQL's")
def test_postgres_forces_row_level_security_on_every_tenant_table(owner_engine):
    with owner_engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(:t)"), {"t": list(TENANT_TABLES | LINK_TABLES)}).all())
    assert rows == {t: True for t in TENANT_TABLES | LINK_TABLES}
    with owner_engine.connect() as conn:
        policies = {(r.tablename, r.policyname) for r in conn.execute(text(
            "SELECT tablename, policyname FROM pg_policies WHERE tablename = ANY(:t)"),
            {"t": list(TENANT_TABLES | LINK_TABLES)})}
    assert policies == {(t, f"{t}_{a}") for t in TENANT_TABLES | LINK_TABLES
                        for a in ("read", "insert", "update", "delete")}


@pytest.mark.skipif(not POSTGRES, reason="the service role is PostgreSQL's")
def test_service_role_neither_owns_nor_bypasses(urls):
    from sqlalchemy import create_engine

    engine = create_engine(urls[1])
    with engine.connect() as conn:
        role = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
        owned = conn.scalar(text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user"))
        # With no tenancy settings in the transaction, the service role sees no tenant row.
        libraries = conn.scalar(text("SELECT count(*) FROM library"))
    engine.dispose()
    assert tuple(role) == (False, False) and owned == 0 and libraries == 0


# Small tables every tenant reads or refers to; replicated whole in a distributed
# PostgreSQL (docs/scaling.md), so a reference to them need not carry tenant_id.
REFERENCE_TABLES = {"tenant", "contest"}


def test_foreign_keys_between_tenant_tables_carry_tenant_id():
    for cls in tenant_classes():
        for fk in cls.__table__.foreign_key_constraints:
            target = fk.referred_table.name
            if target in REFERENCE_TABLES or target not in TENANT_TABLES:
                continue
            assert "tenant_id" in [c.name for c in fk.columns], f"{cls.__tablename__}.{fk.name}"
