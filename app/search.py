"""Text search that ignores case in every alphabet, and choice columns sorted by label.

SQLite's LIKE and lower() fold ASCII only, so "климова" would not find "Климова"; and a
Russian reader takes "е" and "ё" for the same letter when searching ("Алена" finds
"Алёна"). Every text filter of the record screens, their exports and REST APIs (one data
interface, app.validation.RecordInterface) compares a folded expression of the column
with the same fold of the value:

- SQLite: `libnet_fold(x)`, a deterministic function registered on every connection of
  the app's engine: Python's casefold(), then ё → е. Where a GLOB of each letter's cases
  ("*[кК][лЛ]…*") says the same, that is asked instead: it needs no call into Python;
- PostgreSQL: `translate(lower(x), 'ё', 'е')`. lower() folds Cyrillic when the database's
  LC_CTYPE is a UTF-8 locale (C.UTF-8, ru_RU.UTF-8, ...), not under plain "C".

The same expression folds both sides on each database, so they always agree. A choice
column holds a code ("adults"); sorting by it sorts by the label the user reads in their
language, through a CASE expression ranking the codes by label.
"""
import functools
import sqlite3
from dataclasses import dataclass

from flask_appbuilder.exceptions import FABException
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla import filters as fab
from flask_babel import gettext as _
from sqlalchemy import Enum, String, asc, case, desc, event, false, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db

FUNCTION = "libnet_fold"
ESCAPE = "/"  # LIKE's escape character: what the user types is matched literally


def fold(text):
    """A text as searches compare it: case folded, ё read as е."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)  # SQLite may hold a number in a text column
    return text.casefold().replace("ё", "е")


class folded(FunctionElement):
    """fold() in SQL, on either database."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    return f"{FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    return f"translate(lower({compiler.process(element.clauses, **kw)}), 'ё', 'е')"


def init_app(app) -> None:
    """Give every SQLite connection of the app's engines the fold function."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _register)


def _register(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # deterministic: SQLite may then evaluate it once for a constant argument
        dbapi_connection.create_function(FUNCTION, 1, fold, deterministic=True)


def _escaped(text: str) -> str:
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


@functools.cache
def _variants() -> tuple[dict[str, str], frozenset[str]]:
    """(a folded character -> every character that folds to it, the characters some
    character folds to among others, as "ß" to "ss"). The Basic Multilingual Plane is
    enough: no character beyond it folds into it."""
    found, within = {}, set()
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        folds = fold(chr(code))
        if len(folds) == 1:
            found[folds] = found.get(folds, folds) + (chr(code) if chr(code) != folds else "")
        else:
            within.update(folds)
    return found, frozenset(within)


GLOB_LIMIT = 50_000  # bytes: SQLite refuses a longer GLOB or LIKE pattern ("too complex")


def _glob(text: str, start: bool, end: bool) -> str | None:
    """The GLOB pattern that matches `text` whatever its case, on SQLite, or None where
    only the fold function can tell (a character inside a longer fold, as "s" in "ß")."""
    variants, within = _variants()
    parts = []
    for char in fold(text):
        if char in within or ord(char) > 0xFFFF:
            return None
        chars = variants.get(char, char)
        if len(chars) > 1:
            parts.append(f"[{chars}]")  # letters only: no ], ^ or - in a class
        else:
            parts.append(f"[{char}]" if char in "*?[" else char)
    return ("" if start else "*") + "".join(parts) + ("" if end else "*")


def _match(column, text: str, *, start=False, end=False):
    """`column` holds `text` (at its start, its end, both: equal), whatever the case.
    On SQLite, a GLOB of each letter's cases where it says the same as the fold: SQLite
    runs it without calling into Python for each row (2-3 times faster over a table)."""
    from app.validation import TEXT_LENGTH

    if len(text) > TEXT_LENGTH:  # longer than any stored text (and past SQLite's pattern limit)
        return false()
    pattern = _glob(text, start, end) if db.session.get_bind().dialect.name == "sqlite" else None
    if pattern is not None and len(pattern.encode()) <= GLOB_LIMIT:
        return column.op("GLOB")(literal(pattern, String()))
    if start and end:
        return folded(column) == folded(literal(text, String()))
    like = ("" if start else "%") + _escaped(text) + ("" if end else "%")
    return folded(column).like(folded(literal(like, String())), escape=ESCAPE)


def contains(column, text: str):
    """`column` contains `text`, whatever the case (the relation fields' search)."""
    try:
        text = _text(text)
    except BadFilter:  # no row holds such text
        return false()
    return _match(column, text)


def _or_unset(column, condition):
    # "does not contain x" holds for an empty field too
    return or_(column.is_(None), condition)


class BadFilter(FABException):
    """A filter value that cannot be compared: FAB's APIs answer a FABException with 400."""


def _text(value) -> str:
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value):
            # neither database can even be asked about these
            raise BadFilter(_("Remove the control characters from this text."))
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise BadFilter(_("A filter value must be a text or a number."))


def _texts(value) -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise BadFilter(_("This filter takes a list of values."))
    return [_text(item) for item in value]


def _text_column(model, name: str) -> bool:
    """Does the filtered column hold free text (not a choice's code, a number...)?"""
    if "." in name:
        relation, leaf = name.split(".", 1)
        attribute = getattr(model, relation, None)
        model = attribute.mapper.class_ if hasattr(attribute, "mapper") else None
        name = leaf
    column = getattr(model, name, None) if model is not None else None
    kind = getattr(column, "type", None)
    return isinstance(kind, String) and not isinstance(kind, Enum)


class _Folded:
    """A FAB text filter that compares folded text; other columns keep FAB's own
    comparison. (FAB maps an API's `opr` to a class through one global table that each
    filter instance overwrites, so these may be asked to filter any column.)"""

    many = False  # takes a list of values (in, not in)

    def check(self, value):
        """Raise BadFilter for a value this filter cannot compare."""
        if _text_column(self.model, self.column_name):
            if self.many:
                _texts(value)
            elif isinstance(value, list):  # FAB applies each value of a list in turn
                for item in value:
                    _text(item)
            else:
                _text(value)

    def apply(self, query, value):
        if not _text_column(self.model, self.column_name):
            return super().apply(query, value)
        try:
            value = _texts(value) if self.many else _text(value)
        except BadFilter:  # a list's URL (an API's filters were checked before)
            return query.filter(false())
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        return query.filter(self.condition(field, value))


class StartsWith(_Folded, fab.FilterStartsWith):
    def condition(self, field, text):
        return _match(field, text, start=True)


class NotStartsWith(_Folded, fab.FilterNotStartsWith):
    def condition(self, field, text):
        return _or_unset(field, ~_match(field, text, start=True))


class EndsWith(_Folded, fab.FilterEndsWith):
    def condition(self, field, text):
        return _match(field, text, end=True)


class NotEndsWith(_Folded, fab.FilterNotEndsWith):
    def condition(self, field, text):
        return _or_unset(field, ~_match(field, text, end=True))


class Contains(_Folded, fab.FilterContains):
    def condition(self, field, text):
        return contains(field, text)


class NotContains(_Folded, fab.FilterNotContains):
    def condition(self, field, text):
        return _or_unset(field, ~contains(field, text))


class Equal(_Folded, fab.FilterEqual):
    def condition(self, field, text):
        return _match(field, text, start=True, end=True)


class NotEqual(_Folded, fab.FilterNotEqual):
    def condition(self, field, text):
        return _or_unset(field, ~_match(field, text, start=True, end=True))


class In(_Folded, fab.FilterIn):
    many = True

    def condition(self, field, texts):
        return folded(field).in_([folded(literal(text, String())) for text in texts])


class NotIn(_Folded, fab.FilterNotIn):
    many = True

    def condition(self, field, texts):
        return _or_unset(field, folded(field).not_in([folded(literal(t, String())) for t in texts]))


# FAB's text filter -> ours
FOLDED = {ours.__bases__[1]: ours for ours in (StartsWith, NotStartsWith, EndsWith, NotEndsWith,
                                               Contains, NotContains, Equal, NotEqual, In, NotIn)}


class Among(fab.FilterRelationManyToManyEqual):
    """A to-many relation holds the record with this id. FAB's own (`contains`) crosses the
    link table with the rest of the query when the relation has a composite join (an
    activity's libraries); EXISTS does not. An id no visible row has matches nothing."""

    def apply_item(self, query, field, value_item):
        from app.validation import is_id

        target = self.datamodel.get_related_model(self.column_name)
        if not is_id(getattr(value_item, "id", value_item)):
            return query.filter(false())
        return query.filter(field.any(target.id == int(getattr(value_item, "id", value_item))))


class _Day:
    """A day as the user types it into a list's filter: in her pattern (03.04.2025 is the
    3rd of April in ru and bg) or as ISO 8601. FAB reads it with dateutil, month first."""

    def apply(self, query, value):
        if isinstance(value, str):
            from app.i18n import parse_day

            try:
                value = parse_day(value)
            except ValueError:
                pass  # FAB's reading of it, as before: what no one can read matches nothing
        return super().apply(query, value)


DAYS = {flt: type(f"Day{flt.__name__.removeprefix('Filter')}", (_Day, flt), {})
        for flt in (fab.FilterEqual, fab.FilterGreater, fab.FilterSmaller, fab.FilterNotEqual)}


class FoldedFilterConverter(fab.SQLAFilterConverter):
    """FAB's filters per column type, with the text ones folded and days read as the user
    writes them. Each list keeps FAB's order: a list's URL names a filter by its position
    (`_flt_2_name` is "contains")."""

    conversion_table = tuple(
        (test, [FOLDED.get(flt, flt) for flt in found] if test in ("is_text", "is_string")
         else [DAYS.get(flt, flt) for flt in found] if test == "is_date"
         else [Among if flt is fab.FilterRelationManyToManyEqual else flt for flt in found])
        for test, found in fab.SQLAFilterConverter.conversion_table)


class CheckedFilters(Filters):
    """An API's filters: `opr` is looked up among the column's own filters (not FAB's
    global table, which the last screen to build its filters has rewritten), and each
    value is checked before any query runs, so a bad one is a 400."""

    def rest_add_filters(self, data) -> None:
        if not isinstance(data, list):
            raise BadFilter(_("Filters must be a list."))
        for item in data:
            if not isinstance(item, dict) or not {"col", "opr", "value"} <= item.keys():
                raise BadFilter(_("Each filter needs a column (col), an operation (opr) and a value."))
            column, operation = item["col"], item["opr"]
            found = [f for f in self._search_filters.get(column, []) if f.arg_name == operation] \
                if isinstance(column, str) and column in self.search_columns else []
            if not found:
                raise BadFilter(_("This filter is not available: %(column)s, %(operation)s.",
                                  column=str(column)[:50], operation=str(operation)[:20]))
            check = getattr(found[0], "check", None)
            if check is not None:
                check(item["value"])
            self.add_filter(column, type(found[0]), item["value"])


class FoldedSearch:
    """For a SQLAInterface: folded text filters, and choice columns sorted by label."""

    filter_converter_class = FoldedFilterConverter

    def get_filters(self, search_columns=None, search_filters=None):
        return CheckedFilters(self.filter_converter_class, self, search_columns=search_columns or [],
                              search_filters=search_filters)

    def apply_order_by(self, query, order_column, order_direction, aliases_mapping=None,
                       bypass_many_to_many=False, add_pk=False):
        column = self.obj.__table__.columns.get(order_column) if isinstance(order_column, str) else None
        kind = getattr(column, "type", None)
        if not isinstance(kind, Enum) or kind.enum_class is None:
            return super().apply_order_by(query, order_column, order_direction, aliases_mapping,
                                          bypass_many_to_many, add_pk)
        direction = asc if order_direction == "asc" else desc
        by = [direction(by_label(getattr(self.obj, order_column), kind.enum_class))]
        if add_pk:  # a stable order across pages
            by.append(direction(self.get_pk()))
        return query.order_by(*by)


def by_label(column, choices):
    """A CASE expression: the rank of each code's label in the current language. An
    unset value ranks after every label (on both databases, which order NULL apart)."""
    ranked = sorted(choices, key=lambda member: (fold(str(member)), str(member), member.name))
    return case({member.name: rank for rank, member in enumerate(ranked)},
                value=column, else_=len(ranked))


# -- the quick search box of a list ---------------------------------------------

QUICK_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class QuickSearch:
    """One text looked for in several columns of a list (`?q=`), kept for the request:
    the list, its count and its export all read it (app.validation.RecordInterface)."""

    model: type
    text: str
    columns: tuple[str, ...]

    def condition(self):
        return or_(*(contains(getattr(self.model, column), self.text) for column in self.columns))
