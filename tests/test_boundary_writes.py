"""Writes at the edge of the boundary: rows that move between tenants, the foreign keys
that keep a row with its library, delete refusals that count only what the user can
see, and contest entries that stay within the contests their library may enter."""
import datetime
import uuid

import pytest
from flask_appbuilder import Model
from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError

from app.extensions import db

from .conftest import POSTGRES, login, snapshot


def _one(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).first()


def _id(engine, sql, **params):
    row = _one(engine, sql, **params)
    assert row is not None, sql
    return row[0]


def _tenant(engine, name):
    return _id(engine, "SELECT id FROM tenant WHERE name = :n", n=name)


def _execute(engine, sql, **params):
    with engine.begin() as conn:
        return conn.execute(text(sql), params)


# -- foreign keys --------------------------------------------------------------

def _foreign_key_violation(error: IntegrityError) -> bool:
    if POSTGRES:
        return getattr(error.orig, "sqlstate", None) == "23503"
    return "FOREIGN KEY constraint failed" in str(error.orig)


def _breaking_values(conn, fk):
    """Values for the constraint's columns that each exist in the referred table but
    not together (composite keys) or not at all (one column): only this key fails."""
    referred = fk.referred_table
    columns = [e.column for e in fk.elements]
    rows = conn.execute(select(*columns)).all()
    if len(columns) == 1:
        return [max((r[0] for r in rows), default=0) + 10**6]
    existing = {tuple(r) for r in rows}
    for first in rows:
        for other in rows:
            candidate = (first[0], *other[1:])
            if candidate not in existing:
                return list(candidate)
    pytest.fail(f"{referred.name}: too few rows to break {fk.name}")


def _enforcing_engine(app, owner_engine):
    """SQLite: the service's own engine (the pragma is per connection). PostgreSQL: the
    owner, past row-level security; foreign keys hold for every role there anyway."""
    if POSTGRES:
        return owner_engine
    with app.app_context():
        return db.engine


def _dummy(column):
    """A value a NOT NULL column without a default accepts (a row only to try a key on)."""
    kind = column.type
    if getattr(kind, "enums", None):
        return kind.enums[0]
    python = kind.python_type
    if python is str:
        return f"fk-{uuid.uuid4().hex}"[: getattr(kind, "length", None) or 36]
    if python is datetime.datetime:
        return datetime.datetime(2020, 1, 1)
    if python is datetime.date:
        return datetime.date(2020, 1, 1)
    return python(1)


def _a_row(conn, table) -> tuple:
    """The primary key of a row of `table`, preferring one that refers to something; in
    an empty table (groups, API keys) one is added, with whatever it must refer to."""
    pk = list(table.primary_key.columns)
    referring = [table.c[c.name] for fk in table.foreign_key_constraints for c in fk.columns]
    row = conn.execute(select(*pk).where(*(c.isnot(None) for c in referring)).limit(1)).first() \
        or conn.execute(select(*pk).limit(1)).first()
    if row is not None:
        return tuple(row)
    values = {}
    for fk in table.foreign_key_constraints:
        target = fk.referred_table
        _a_row(conn, target)
        first = conn.execute(select(*(e.column for e in fk.elements)).limit(1)).first()
        values.update({c.name: v for c, v in zip(fk.columns, first)})
    for column in table.columns:
        if column.name in values or column.nullable or column.default is not None \
                or column.server_default is not None or (column.primary_key and column.autoincrement):
            continue
        values[column.name] = _dummy(column)
    conn.execute(table.insert().values(values))
    return tuple(conn.execute(select(*pk).order_by(*(c.desc() for c in pk)).limit(1)).first())


def test_every_foreign_key_is_enforced(app, owner_engine):
    """Generated from the metadata: every foreign key, the composite ones included,
    refuses a change that leaves its row referring to nothing, on SQLite as on
    PostgreSQL. (Each try is rolled back.)"""
    engine = _enforcing_engine(app, owner_engine)
    tried = []
    for table in Model.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            local = [table.c[c.name] for c in fk.columns]
            pk = list(table.primary_key.columns)
            with engine.connect() as conn, conn.begin() as transaction:
                row = _a_row(conn, table)
                values = _breaking_values(conn, fk)
                statement = table.update().where(tuple_(*pk) == row) \
                    .values({c.name: v for c, v in zip(local, values)})
                with pytest.raises(IntegrityError) as refused:
                    conn.execute(statement)
                transaction.rollback()
            assert _foreign_key_violation(refused.value), f"{table.name} {fk.name}: {refused.value.orig}"
            tried.append((table.name, *fk.columns.keys()))
    composite = [t for t in tried if len(t) > 2]
    assert len(composite) >= 4 and len(tried) >= 20, tried
