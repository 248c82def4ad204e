"""What still refers to a record, so that deleting it is refused with a clear message
instead of a database error or a cascade."""
from flask_appbuilder import Model
from flask_babel import gettext
from sqlalchemy import func, inspect, select
from sqlalchemy.orm.interfaces import MANYTOONE

from app.i18n import count_label


def dependents(session, item) -> dict[str, int]:
    """Table name -> number of rows that refer to `item`."""
    cls = type(item)
    found = {}
    for mapper in Model.registry.mappers:
        for rel in mapper.relationships:
            if rel.direction is not MANYTOONE or rel.mapper.class_ is not cls:
                continue
            remote = {r.key: getattr(item, r.key) for _, r in rel.local_remote_pairs}
            where = [local == remote[r.key] for local, r in rel.local_remote_pairs]
            count = session.scalar(select(func.count()).select_from(mapper.local_table).where(*where))
            if count:
                table = mapper.local_table.name
                found[table] = max(found.get(table, 0), count)
    return found


def dependents_message(session, item) -> str | None:
    """A translated refusal naming what depends on `item`, or None when nothing does."""
    found = dependents(session, item)
    if not found:
        return None
    parts = ", ".join(count_label(n, table) for table, n in sorted(found.items()))
    return gettext("Cannot delete «%(name)s»: it still has %(parts)s. "
                   "Close or archive it instead, or move these records first.",
                   name=str(item), parts=parts)
