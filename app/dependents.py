"""What still refers to a record, so that deleting or moving it is refused with a clear
message instead of a database error, a cascade or rows left behind.

Only what the user can see is counted: rows of other tenants that refer to the record
are "other records", never a number (a count would tell that they exist, and how many).
"""
from flask_appbuilder import Model
from flask_babel import gettext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.interfaces import MANYTOONE

from app.i18n import count_label


def _referrers(cls):
    """(mapped class, relation) for every many-to-one relation that points at `cls`."""
    for mapper in Model.registry.mappers:
        for rel in mapper.relationships:
            if rel.direction is MANYTOONE and rel.mapper.class_ is cls:
                yield mapper, rel


def _stored(item, key):
    """The value of `key` as stored: a row being moved is still referred to by its old keys."""
    deleted = inspect(item).attrs[key].history.deleted
    return deleted[0] if deleted else getattr(item, key)


def _where(mapper, rel, item):
    return [mapper.get_property_by_column(local).class_attribute
            == _stored(item, rel.mapper.get_property_by_column(remote).key)
            for local, remote in rel.local_remote_pairs]


def _part_of(rel) -> bool:
    """Are the rows on this side of `rel` parts of the row it points at, deleted with it
    (a meeting's agenda items: its relation back to them cascades deletes)?"""
    return any(back.back_populates == rel.key and "delete" in back.cascade for back in rel.mapper.relationships)


def dependents(session, item) -> dict[str, int]:
    """Table name -> number of rows the user can see that refer to `item`, its own parts
    left out. They are counted through the mapped classes, so the session's tenant rule
    applies."""
    found = {}
    with session.no_autoflush:
        for mapper, rel in _referrers(type(item)):
            if _part_of(rel):
                continue
            count = session.scalar(select(func.count()).select_from(mapper.class_)
                                   .where(*_where(mapper, rel, item)))
            if count:
                table = mapper.local_table.name
                found[table] = max(found.get(table, 0), count)
    return found


def _refused_by_database(session, item) -> bool:
    """Would the database refuse to delete `item` (rows the user cannot see refer to
    it)? Asked by deleting it in a savepoint that is always rolled back: the same
    answer on SQLite and on PostgreSQL, where row-level security hides those rows from
    any count the service could make."""

    class Undo(Exception):
        pass

    try:
        with session.begin_nested():
            session.delete(item)
            session.flush()
            raise Undo
    except Undo:
        return False
    except IntegrityError:
        return True


def dependents_message(session, item) -> str | None:
    """A translated refusal naming what depends on `item`, or None when nothing does."""
    found = dependents(session, item)
    if found:
        parts = ", ".join(count_label(n, table) for table, n in sorted(found.items()))
        return gettext("Cannot delete «%(name)s»: it still has %(parts)s. "
                       "Close or archive it instead, or move these records first.",
                       name=str(item), parts=parts)
    if _refused_by_database(session, item):
        return gettext("Cannot delete «%(name)s»: other records still refer to it. "
                       "Close or archive it instead.", name=str(item))
    return None


def move_refusal(connection, scope, item) -> str | None:
    """A translated refusal to move `item` to another tenant while rows refer to it, or
    None. Read through the flush's connection (the guard runs inside a flush): the
    tenant rule is the scope's read clause, as the session would add it."""
    visible, hidden = {}, False
    for mapper, rel in _referrers(type(item)):
        query = select(func.count()).select_from(mapper.local_table).where(*_where(mapper, rel, item))
        total = connection.scalar(query)
        clause = scope.read_clause(mapper.class_) if hasattr(mapper.class_, "__tenant_keys__") else None
        seen = total if clause is None or not total else connection.scalar(query.where(clause))
        if seen:
            table = mapper.local_table.name
            visible[table] = max(visible.get(table, 0), seen)
        hidden = hidden or total > seen
    if visible:
        parts = ", ".join(count_label(n, table) for table, n in sorted(visible.items()))
        return gettext("Cannot move «%(name)s» to another organisation: it still has %(parts)s. "
                       "Move these records to another library first.", name=str(item), parts=parts)
    if hidden:
        return gettext("Cannot move «%(name)s» to another organisation: other records still "
                       "refer to it.", name=str(item))
    return None
