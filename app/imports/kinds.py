"""What an import brings in, described once for the preview, the import, its undoing and
the template (run.py, template.py): its columns, how a row finds what it updates, the
rules a row must keep and what a new row becomes.

`Records` describes a record type with a natural key (app/records). A type whose rows
are no plain records says how they are imported with its own subclass, named as its
RecordType's `importer` (the accounts of a Director's subtree: app/imports/accounts.py)."""
from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.tenancy.session import NotPermitted, assert_writable, current_scope, misplaced_references
from app.validation import problems

from .fields import LOCALES, Field, convert, fields, headings, normal, view_of


def describe(record_type, *, dry_run: bool = True) -> "Records":
    """The description of how `record_type`'s rows are imported."""
    return (record_type.importer or Records)(record_type, dry_run=dry_run)


def importable(record_type) -> bool:
    """Is the type imported: a natural key, and something for the rows to become?"""
    return bool(record_type.natural_key) and (record_type.importer is not None or record_type.model is not None)


def import_api(record_type):
    """The REST class serving the type's import: its API, or the import's own one."""
    if not importable(record_type):
        return None
    return record_type.api or getattr(record_type.importer, "api", None)


class Records:
    """A record type's rows, as its add form and API take them (app/imports/fields.py)."""

    api = None  # a REST class of the import's own, where the type has no API that could serve it
    given: frozenset[str] | set[str] = frozenset()  # the fields the file has a column for (run() says)

    def __init__(self, record_type, *, dry_run: bool = True):
        self.record_type, self.dry_run = record_type, dry_run
        self.name, self.natural_key = record_type.name, record_type.natural_key
        self.view = view_of(record_type)

    @property
    def model(self):
        return self.record_type.model

    def columns(self) -> list[Field]:
        return fields(self.record_type)

    def label(self, f: Field) -> str:
        return f.label(self.view)

    def description(self, f: Field) -> str:
        return str(self.view.description_columns.get(f.name, ""))

    def headings(self, f: Field) -> set[str]:
        """The folded headings a file may name the column by."""
        return headings(f, self.label)

    def template_columns(self) -> list[Field]:
        """The columns the template lists (the import may read more)."""
        return self.columns()

    def format(self, f: Field) -> str | None:
        """The template's words for the column's format; None: its kind's."""
        return None

    def example(self, f: Field):
        """The template's example of the column; None: its kind's."""
        return None

    def refused_headings(self) -> dict[str, str]:
        """Folded heading -> why a column of that name is refused (beyond "not a field")."""
        return {}

    def defaults(self) -> dict:
        """Columns a file of the user's may leave out: their district, their library."""
        from sqlalchemy import inspect

        from app.models import Library, Tenant

        scope = current_scope(db.session)
        names = set(self.record_type.view.add_columns)
        relations = inspect(self.model).relationships
        out = {}
        if "tenant" in names and "tenant" in relations and scope.node_id is not None:
            out["tenant"] = db.session.get(Tenant, scope.node_id)
        if "library" in names and "library" in relations and scope.library_id is not None:
            out["library"] = db.session.get(Library, scope.library_id)
        return out

    def convert(self, f: Field, value, *, within: dict | None = None):
        return convert(f, value, within=within)

    def cell_problems(self, values: dict) -> dict[str, str]:
        """What the record's rules say of a row's cells read so far (besides the unreadable ones)."""
        return problems(self.model, values)

    def existing(self):
        from .run import Existing

        return Existing(self.model, self.natural_key)

    def key(self, values: dict) -> tuple:
        from .run import _key_part

        return tuple(_key_part(values.get(k)) for k in self.natural_key)

    def changes(self, item, values: dict, existing) -> dict:
        """What a row would change in the record it matches."""
        return {k: v for k, v in values.items() if existing.differs(item, k, v)}

    def new(self, values: dict):
        return self.model(**values)

    def refusals(self, session, item, values: dict) -> dict[str, str]:
        """Field ('' for the row) -> why the record, as the row leaves it, may not be saved."""
        found = problems(self.model, {k: getattr(item, k, None) for k in self.record_type.view.add_columns},
                         item.id)
        found.update(misplaced_references(session, self.model, values))
        if not found:
            try:
                assert_writable(session, item)
            except NotPermitted as refusal:
                found[""] = str(refusal)
        return found

    def created(self, item) -> None:
        """A row adds `item` (it passed every check)."""

    def shown_once(self) -> dict | None:
        """What the user must read once after the import is written, and never again."""
        return None

    def options(self, f: Field) -> list[str] | None:
        """The template's drop-down of the column; None: the template's own."""
        return None

    def guide(self) -> list[str]:
        """Lines the template's instructions add after the columns."""
        return []

    def untouched(self, item, entry, summary) -> bool:
        """Besides holding what the import left in it, may `item` be taken back?"""
        return True


def headings_of(words: list[str]) -> set[str]:
    """Folded headings for untranslated words in every language (a refused column's names)."""
    from app.i18n import speaking

    names = set()
    for word in words:
        names.add(normal(word))
        for locale in LOCALES:
            with speaking(locale):
                names.add(normal(_(word)))
    return names
