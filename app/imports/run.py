"""An import: a spreadsheet's rows matched to a record type's records by their natural
key (a library by its name in its district, a staff member by name and library...),
then created or updated, in one transaction.

The preview and the import are the same run: a preview rolls back at its end, and so
does an import with a refused row unless the user asked for the valid rows only. A
database error rolls back everything. What an import wrote is one batch of the audit
trail (its summary row names the file), which `undo` takes back while the rows it
touched are as it left them.
"""
from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, false, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import RelationshipDirection

from app.audit import AuditAction, AuditEntry, _actor, plain
from app.extensions import db
from app.search import fold
from app.tenancy.session import REFERENCES_SEEN, NotPermitted, current_scope

from .fields import Bad, normal
from .files import read
from .progress import CHECKING, SAVING

SUMMARY_TABLE = "import"  # the audit rows that sum a batch up (and mark it undone)
FLUSH_EVERY = 500  # rows written at once: a database error still undoes the whole import
TELL_EVERY = 50  # rows between two reports of progress (which writes at most 4 a second)


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list[Problem] = field(default_factory=list)
    batch: str | None = None
    written: bool = False
    file_error: str | None = None  # the whole file refused
    # User name -> initial password of each account the import created: shown once, after
    # the import is written, and kept nowhere (app/imports/accounts.py).
    passwords: dict | None = None

    def as_json(self) -> dict:
        errors = [{"row": p.row, "column": p.column, "message": p.message} for p in self.errors]
        if self.file_error:
            errors.insert(0, {"row": 0, "column": "", "message": self.file_error})
        answer = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                  "refused": self.refused, "errors": errors, "batch": self.batch}
        if self.passwords is not None:
            answer["passwords"] = dict(self.passwords)
        return answer


class ImportFailed(Exception):
    """The database refused what the checks let through: nothing is written."""


def importable(record_type) -> bool:
    from .kinds import importable as imported

    return imported(record_type)


def run(record_type, name: str, data: bytes, *, dry_run: bool = True, valid_only: bool = False,
        defaults: dict | None = None, progress=None) -> Outcome:
    """Preview (dry_run) or import `data` as rows of `record_type` (as its description,
    app/imports/kinds.py, says). `defaults`: values of columns the file may leave out
    (the user's own district, library); None: the description's. `progress(stage, done,
    total)`, if given, hears how far the run has got (app/imports/progress.py)."""
    from .files import FileRefused
    from .kinds import describe

    outcome = Outcome()
    try:
        table = read(name, data, current_app.config["IMPORT_MAX_BYTES"])
    except FileRefused as refused:
        outcome.file_error = refused.message
        return outcome
    session = db.session
    kind = describe(record_type, dry_run=dry_run)
    columns = kind.columns()
    by_heading = {h: f for f in columns for h in kind.headings(f)}
    refused_headings = kind.refused_headings()
    mapped, seen = {}, {}
    for index, heading in enumerate(table.headings):
        if not heading:
            continue
        found = by_heading.get(normal(heading))
        if found is None:
            outcome.errors.append(Problem(1, heading, refused_headings.get(normal(heading)) or _(
                "This column is not a field of these records: it is left out.")))
        elif found.name in seen:
            outcome.errors.append(Problem(1, heading, _("The same field as column “%(other)s”: this one is "
                                                        "left out.", other=seen[found.name])))
        else:
            mapped[index], seen[found.name] = found, heading
    kind.given = set(seen)
    defaults = kind.defaults() if defaults is None else defaults
    defaults = {k: v for k, v in defaults.items() if k not in seen}
    missing = [f for f in columns if f.required and f.name not in seen and f.name not in defaults]
    for f in missing:
        outcome.errors.append(Problem(1, kind.label(f), _("This column is required and missing from the file.")))
    if missing:
        outcome.refused = len(table.rows)
        return outcome

    batch = uuid.uuid4().hex
    session.info["import_batch"] = batch
    session.info["import_found"] = {}
    session.info[REFERENCES_SEEN] = {}
    keys_seen: dict[tuple, int] = {}
    existing = kind.existing()
    told = progress or (lambda stage, done=0, total=0: None)
    total = len(table.rows)
    try:
        with session.no_autoflush:
            told(CHECKING, 0, total)
            for count, (number, cells) in enumerate(table.rows, start=1):
                _one_row(kind, mapped, defaults, number, cells, outcome, keys_seen, existing)
                if count % FLUSH_EVERY == 0:
                    session.flush()
                if count % TELL_EVERY == 0:
                    told(CHECKING, count, total)
            session.flush()
            told(CHECKING, total, total)
        if dry_run or (outcome.refused and not valid_only) or not (outcome.created or outcome.updated):
            session.rollback()
            return outcome
        told(SAVING, total, total)
        _summary(session, kind, name, outcome, batch)
        session.commit()
    except (SQLAlchemyError, NotPermitted) as error:
        session.rollback()
        current_app.logger.warning("import refused by the database: %s", str(error).splitlines()[0])
        raise ImportFailed() from None
    finally:
        session.info.pop("import_batch", None)
        session.info.pop("import_found", None)
        session.info.pop(REFERENCES_SEEN, None)
    outcome.written, outcome.batch = True, batch
    outcome.passwords = kind.shown_once()
    return outcome


def _one_row(kind, mapped, defaults, number, cells, outcome, keys_seen, existing) -> None:
    session = db.session
    values, errors = dict(defaults), []
    library = defaults.get("library")
    order = sorted(mapped.items(), key=lambda item: item[1].kind in ("one", "many"))  # relations last
    # The row's library first: a club or staff member is looked for in it.
    order.sort(key=lambda item: item[1].name != "library")
    for index, f in order:
        raw = cells[index] if index < len(cells) else None
        within = {"library_id": library.id} if library is not None and f.name != "library" else None
        try:
            values[f.name] = kind.convert(f, raw, within=within)
        except Bad as bad:
            errors.append(Problem(number, kind.label(f), bad.message))
            continue
        if f.name == "library":
            library = values[f.name]
        if f.required and values[f.name] in (None, []):
            errors.append(Problem(number, kind.label(f), _("Fill in this cell.")))
    labels = {f.name: kind.label(f) for f in mapped.values()}
    if errors:  # and what the record's rules say of the cells that were read
        named = {e.column for e in errors}
        for name, message in kind.cell_problems(values).items():
            column = labels.get(name, name)
            if column not in named:
                errors.append(Problem(number, column, str(message)))
        place = {kind.label(f): index for index, f in mapped.items()}  # as the file's columns go
        outcome.errors += sorted(errors, key=lambda e: place.get(e.column, -1))
        outcome.refused += 1
        return
    key = kind.key(values)
    if key in keys_seen:
        outcome.errors.append(Problem(number, "", _("Row %(row)d holds the same record.", row=keys_seen[key])))
        outcome.refused += 1
        return
    keys_seen[key] = number
    try:
        item = existing.find(values)
    except Bad as bad:
        outcome.errors.append(Problem(number, labels.get(bad.field, ""), bad.message))
        outcome.refused += 1
        return
    new = item is None
    if not new:
        changed = kind.changes(item, values, existing)
        if not changed:
            outcome.unchanged += 1
            return
        for k, v in changed.items():
            setattr(item, k, v)
    else:
        item = kind.new(values)
        session.add(item)
    found = kind.refusals(session, item, values)
    if found:
        for name, message in found.items():
            outcome.errors.append(Problem(number, labels.get(name, name) if name else "", str(message)))
        outcome.refused += 1
        if inspect(item).persistent:
            session.expire(item)  # its changes are dropped
        else:
            session.expunge(item)
        return
    if new:
        existing.add(item)
        kind.created(item)
        outcome.created += 1
    else:
        outcome.updated += 1


def _key_part(value):
    if isinstance(value, str):
        return fold(" ".join(value.split()))
    if isinstance(value, list):
        return tuple(sorted(v.id for v in value))
    return getattr(value, "id", value)


def _differs(current, new) -> bool:
    if isinstance(new, list):
        return sorted(v.id for v in current or []) != sorted(v.id for v in new)
    if hasattr(new, "__table__"):
        return getattr(current, "id", None) != new.id
    if isinstance(new, Decimal) and current is not None:
        return Decimal(current) != new  # 0.5 is the stored 0.50
    return plain(current) != plain(new)


class Existing:
    """The records a file's rows may name, by natural key: read once per value of the key's
    first part (a library's staff, a district's libraries), among those the user reads."""

    def __init__(self, model, key: tuple[str, ...]):
        self.model, self.key = model, key
        self.mapper = inspect(self.model)
        self.groups: dict[tuple, dict[tuple, list]] = {}

    def _part(self, name, value, *, of_item=False):
        rel = self.mapper.relationships.get(name)
        if rel is not None:  # a relation by the columns that hold it
            if of_item:
                return tuple(getattr(value, self.mapper.get_property_by_column(local).key)
                             for local, _remote in rel.local_remote_pairs)
            return tuple(getattr(value, rel.mapper.get_property_by_column(remote).key) if value is not None else None
                         for _local, remote in rel.local_remote_pairs)
        value = getattr(value, name) if of_item else value
        return fold(" ".join(value.split())) if isinstance(value, str) else value

    def _key(self, values: dict) -> tuple:
        return tuple(self._part(name, values.get(name)) for name in self.key)

    def _item_key(self, item) -> tuple:
        return tuple(self._part(name, item, of_item=True) for name in self.key)

    def _group(self, first: tuple) -> dict:
        if first not in self.groups:
            rel = self.mapper.relationships.get(self.key[0])
            if rel is not None:
                where = [local == value for (local, _remote), value in zip(rel.local_remote_pairs, first)]
            else:
                where = [getattr(self.model, self.key[0]) == first]
            index: dict[tuple, list] = {}
            for item in db.session.scalars(select(self.model).where(and_(*where))):
                index.setdefault(self._item_key(item), []).append(item)
            self.groups[first] = index
        return self.groups[first]

    def find(self, values: dict):
        key = self._key(values)
        found = self._group(key[0]).get(key, [])
        if len(found) > 1:
            raise Bad(_("Several records match this row: tell them apart on their screen first."))
        return found[0] if found else None

    def differs(self, item, name: str, value) -> bool:
        """Would the row change this field of the record? A relation is compared by the
        columns that hold it (loading each record's library would be a query a row)."""
        rel = self.mapper.relationships.get(name)
        if rel is not None and rel.direction is not RelationshipDirection.MANYTOMANY:
            return self._part(name, item, of_item=True) != self._part(name, value)
        return _differs(getattr(item, name), value)

    def add(self, item) -> None:
        key = self._item_key(item)
        self._group(key[0]).setdefault(key, []).append(item)


def _summary(session, kind, name, outcome, batch) -> None:
    user_id, username = _actor()
    scope = current_scope(session)
    session.add(AuditEntry(
        at=datetime.datetime.now(datetime.UTC).replace(tzinfo=None), user_id=user_id, username=username,
        tenant_id=scope.node_id, table_name=SUMMARY_TABLE, record_id=0, action=AuditAction.insert, batch=batch,
        after={"file": name[:255], "type": kind.name, "created": outcome.created,
               "updated": outcome.updated, "unchanged": outcome.unchanged, "refused": outcome.refused}))
    session.flush()




# -- the imports made, and their undoing ------------------------------------------

def _trail(session):
    """Audit rows as the audit screen reads them: the user's subtree; branch staff none."""
    scope = current_scope(session)
    stmt = select(AuditEntry)
    if scope.unrestricted:
        return stmt
    if scope.library_id is not None:
        return stmt.where(false())
    return stmt.where(AuditEntry.tenant_id.in_(sorted(scope.visible)))


def batches(record_type, limit: int = 10) -> list[dict]:
    """The latest imports of `record_type` the user reads: who, when, which file, what it did."""
    session = db.session
    summaries = session.scalars(_trail(session).where(
        AuditEntry.table_name == SUMMARY_TABLE, AuditEntry.action == AuditAction.insert)
        .order_by(AuditEntry.id.desc()).limit(200)).all()
    mine = [s for s in summaries if (s.after or {}).get("type") == record_type.name][:limit]
    undone = set(session.scalars(_trail(session).with_only_columns(AuditEntry.batch).where(
        AuditEntry.table_name == SUMMARY_TABLE, AuditEntry.action == AuditAction.delete,
        AuditEntry.batch.in_([s.batch for s in mine]))))
    return [{"batch": s.batch, "at": s.at, "username": s.username, "undone": s.batch in undone,
             "may_undo": may_undo(s), **(s.after or {})} for s in mine]


def may_undo(summary) -> bool:
    """Its author, or the level above (a region undoes a district's import)."""
    from flask_login import current_user

    scope = current_scope(db.session)
    return scope.unrestricted or summary.user_id == getattr(current_user, "id", None) \
        or summary.tenant_id != scope.node_id


class NotUndone(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def undo(batch: str) -> dict:
    """Take back what the import `batch` wrote, if none of it has changed since. Raises
    LookupError for an import the user does not read, NotUndone with the reason."""
    from app.records import record_types

    session = db.session
    summary = session.scalars(_trail(session).where(
        AuditEntry.table_name == SUMMARY_TABLE, AuditEntry.batch == batch,
        AuditEntry.action == AuditAction.insert)).first()
    if summary is None or not may_undo(summary):
        raise LookupError(batch)
    if session.scalar(_trail(session).with_only_columns(AuditEntry.id).where(
            AuditEntry.table_name == SUMMARY_TABLE, AuditEntry.batch == batch,
            AuditEntry.action == AuditAction.delete)):
        raise NotUndone(_("This import has been undone already."))
    from .kinds import describe

    models = {t.table: t.model for t in record_types().values() if t.model is not None}
    record_type = record_types().get((summary.after or {}).get("type"))
    kind = describe(record_type) if record_type is not None and importable(record_type) else None
    if kind is not None:
        models[kind.model.__tablename__] = kind.model
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.batch == batch, AuditEntry.table_name != SUMMARY_TABLE).order_by(AuditEntry.id.desc())).all()
    plan, changed = [], 0
    with session.no_autoflush:
        loaded = _load(session, models, entries)
        for entry in entries:
            item = loaded.get((entry.table_name, entry.record_id))
            if item is None or not _as_left(item, entry.after or {}) or \
                    (kind is not None and not kind.untouched(item, entry, summary)):
                changed += 1
            else:
                plan.append((entry, item))
    if changed:
        raise NotUndone(ngettext_changed(changed))
    try:
        for entry, item in plan:
            if entry.action is AuditAction.insert:
                session.delete(item)
            else:
                for key, value in (entry.before or {}).items():
                    setattr(item, key, _python(type(item), key, value, session))
        session.flush()  # a record others refer to since is the database's refusal
        user_id, username = _actor()
        session.add(AuditEntry(
            at=datetime.datetime.now(datetime.UTC).replace(tzinfo=None), user_id=user_id, username=username,
            tenant_id=summary.tenant_id, table_name=SUMMARY_TABLE, record_id=0, action=AuditAction.delete,
            batch=batch, before=summary.after))
        session.commit()
    except (SQLAlchemyError, NotPermitted):
        session.rollback()
        raise NotUndone(_("The import could not be undone: other records refer to its records now, "
                          "or you may not change them. Nothing was changed.")) from None
    return summary.after or {}


def _load(session, models: dict, entries) -> dict:
    """(table, id) -> the record, for every record the entries name, a few queries a table."""
    wanted: dict[str, set] = {}
    for entry in entries:
        wanted.setdefault(entry.table_name, set()).add(entry.record_id)
    found = {}
    for table, ids in wanted.items():
        model = models.get(table)
        if model is None:
            continue
        ids = sorted(ids)
        for start in range(0, len(ids), 500):
            for item in session.scalars(select(model).where(model.id.in_(ids[start:start + 500]))):
                found[table, item.id] = item
    return found


def ngettext_changed(n: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d record of this import has changed since: nothing was undone.",
                    "%(num)d records of this import have changed since: nothing was undone.", n)


def _as_left(item, after: dict) -> bool:
    """Does the record hold what the import left in it?"""
    from app.audit import _value

    for key, value in after.items():
        current = getattr(item, key, None)
        if key == "id":
            continue
        if isinstance(current, Decimal) and value is not None:
            if current != Decimal(value):  # 0.50 stored, 0.5 recorded
                return False
        elif _value(key, current) != value:
            return False
    return True


def _python(model, key, value, session=None):
    """A value as the audit trail holds it, back as the column takes it (linked rows,
    an account's roles, by their names)."""
    from decimal import Decimal

    from sqlalchemy import Date, DateTime, Enum, Numeric

    rel = inspect(model).relationships.get(key)
    if rel is not None and isinstance(value, list):
        target = rel.mapper.class_
        return list(session.scalars(select(target).where(target.name.in_(value)))) if value else []
    column = model.__table__.columns.get(key)
    if value is None or column is None:
        return value
    if isinstance(column.type, Enum) and column.type.enum_class is not None:
        return column.type.enum_class[value]
    if isinstance(column.type, DateTime):
        return datetime.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return datetime.date.fromisoformat(value)
    if isinstance(column.type, Numeric):
        return Decimal(value)
    return value
