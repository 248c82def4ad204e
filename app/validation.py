"""Checks that give a clear answer before the database would refuse a write."""
import datetime
import re
from decimal import Decimal

from flask import g, has_request_context
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Enum, Integer, Numeric, String, UniqueConstraint, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.choices import TIME_ZONES
from app.extensions import db
from app.search import FoldedSearch
from app.tenancy.session import current_scope, misplaced_references
from app.versions import Stale

MAX_INT = 2**31 - 1  # what an INTEGER column holds
# The most characters of a Text column (a description, the nominations): a page, not a
# file. A column may declare its own in info={"max_length": n}.
TEXT_LENGTH = 10_000


def max_length(column) -> int | None:
    """The most characters `column` takes: its String length, TEXT_LENGTH for Text (and
    a String without one). None for a column that holds no text or a choice code."""
    if not isinstance(column.type, String) or isinstance(column.type, Enum):
        return None
    return column.info.get("max_length") or column.type.length or TEXT_LENGTH


def is_id(value) -> bool:
    """Could `value` be the id of a row? Anything else is simply not found, never a
    database error (SQLite cannot even bind an integer past 64 bits)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_INT


def storable(text: str) -> bool:
    """Text a database can hold or be asked about: no lone surrogate (not UTF-8), no NUL
    (PostgreSQL). What is not can match no row, and is never sent to the database."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


class RecordInterface(FoldedSearch, SQLAInterface):
    """FAB's data interface for the record screens and APIs: an impossible id finds
    nothing, a record saved meanwhile by someone else is a Stale edit, and a list loads
    the relations it shows (`eager`, many-to-one) with its rows. Text filters ignore case
    and ё/е, and choice columns sort by label (app.search)."""

    eager: tuple[str, ...] = ()
    listed_through: dict[str, str] = {}  # card's table -> relation (RecordView.listed_through)

    def get_related_fk(self, model):
        """The relation a card of `model` lists these records by: the declared one, else
        FAB's first to that model (an activity's attendees, not its performer)."""
        return self.listed_through.get(getattr(model, "__tablename__", None)) or super().get_related_fk(model)

    def get_relation_fk(self, col_name: str):
        """The column that holds a relation's id: not the tenant key it shares with the
        row's other references (an event's club is (tenant_id, club_id))."""
        columns = self.list_properties[col_name].local_columns
        return sorted(columns, key=lambda c: (c.key == "tenant_id", c.key))[0]

    def _query_join_relation(self, query, root_relation, aliases_mapping=None):
        # FAB aliases a joined relation only when its join is one plain key: two relations
        # to one table over composite keys (a meeting's chair and secretary, each
        # (tenant_id, staff_id)) were joined twice under one name. Each many-to-one relation
        # joins as its own alias, named after it, over its own join condition.
        relation = self.list_properties[root_relation]
        if relation.direction.name != "MANYTOONE" or aliases_mapping is None:
            return super()._query_join_relation(query, root_relation, aliases_mapping)
        alias = aliased(relation.mapper.class_, name=root_relation)
        aliases_mapping[root_relation] = alias
        return query.join(alias, getattr(self.obj, root_relation), isouter=True)

    def query_count(self, query, filters=None, select_columns=None):
        # The columns an API answer shows of its to-one relations are outer joins, which
        # add no row: counted with them, a national list joined five tables for its total.
        # A filter on a relation joins it on its own.
        return super().query_count(query, filters)

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        # A scoped list reads a few tenants' rows through their index: the relations join
        # in at no cost. Unscoped, a page sorts the whole table, and a join would be sorted
        # with it: the page's related rows are read after it, one query per relation.
        # A to-many relation is read after the page in any case: joined, it would multiply
        # the page's rows under its LIMIT.
        load = selectinload if current_scope(self.session).unrestricted else joinedload
        return query.options(*((selectinload if self.is_relation_many_to_many(name) else load)(getattr(self.obj, name))
                               for name in self.eager))

    def apply_filters(self, query, filters):
        # The list's quick search box (app.search.QuickSearch): for its list, count and export.
        query = super().apply_filters(query, filters)
        quick = g.get("quick_search") if has_request_context() else None
        if quick is not None and quick.model is self.obj:
            query = query.filter(quick.condition())
        return query

    def sums(self, filters, columns) -> dict:
        """Column -> its sum over every row these filters (and the session rule) let through."""
        query = self.session.query(*(func.sum(getattr(self.obj, c)).label(c) for c in columns))
        row = self.apply_filters(query.select_from(self.obj), filters).one()
        return dict(zip(columns, row))

    def get(self, id, *args, **kwargs):
        return super().get(id, *args, **kwargs) if is_id(id) else None

    def get_max_length(self, col_name):
        """FAB's forms add a Length validator (and the browser a maxlength) from this."""
        column = self.list_columns.get(col_name)
        return (max_length(column) if column is not None else None) or -1

    def edit(self, item, *args, **kwargs):
        try:
            return super().edit(item, *args, **kwargs)
        except DatabaseException as error:
            if isinstance(error.__cause__, StaleDataError):
                raise Stale() from error
            raise WriteRefused() from error

    # FAB has logged the database's error and rolled back; its screens would flash the
    # error's text (SQL included), its APIs answer it: they get WriteRefused instead.
    def add(self, item, *args, **kwargs):
        try:
            return super().add(item, *args, **kwargs)
        except SQLAlchemyError as error:
            raise WriteRefused() from error

    def delete(self, item, *args, **kwargs):
        try:
            return super().delete(item, *args, **kwargs)
        except DatabaseException as error:
            raise WriteRefused() from error

    def delete_all(self, items, *args, **kwargs):
        try:
            return super().delete_all(items, *args, **kwargs)
        except DatabaseException as error:
            raise WriteRefused() from error


class WriteRefused(SQLAlchemyError):
    """A write the database refused. Its text (SQL and values) is for the log only: a
    user reads this translated message. A SQLAlchemyError, so an API answers it as it
    answers the database's own errors (app.api.base: 422)."""

    def __str__(self):
        from flask_babel import gettext as _

        return _("The database refused the change.")


def _column_values(model, values: dict) -> dict:
    """Column name -> value, from attribute values that may be related objects."""
    mapper = inspect(model)
    out = {}
    for key, value in values.items():
        prop = mapper.attrs.get(key)
        if prop is None:
            continue
        if hasattr(prop, "columns"):
            out[prop.columns[0].name] = value
        elif prop.direction.name == "MANYTOONE" and value is not None:
            for local, remote in prop.local_remote_pairs:
                out[local.name] = getattr(value, remote.key)
    return out


def unique_conflict(model, column: str, values: dict, pk=None) -> bool:
    """Would these values repeat `column` among rows sharing its unique constraint?"""
    columns = _column_values(model, values)
    table = model.__table__
    for constraint in table.constraints:
        names = [c.name for c in getattr(constraint, "columns", [])]
        if not isinstance(constraint, UniqueConstraint) or column not in names:
            continue
        if any(columns.get(name) is None for name in names):
            return False  # not enough to tell; the database has the last word
        query = select(func.count()).select_from(model).where(
            *(getattr(model, name) == columns[name] for name in names))
        if pk is not None:
            query = query.where(model.id != int(pk))
        if db.session.scalar(query):
            return True
    return False


YEARS = ("founded_year",)  # a year that has already come
WORKING_AGE = (14, 100)  # a staff member's age in years, at least and at most
PAST_DATES = ("closed_on", "hired_on", "active_since", "submitted_on")
COUNTS = ("members", "readers_served", "attendance", "children", "youth")


def bounds(name: str) -> tuple[int, int] | None:
    """(lowest, highest) whole number a field takes, for the rules below and for the
    API's document (its minimum and maximum)."""
    today = datetime.date.today()
    if name in YEARS:
        return 1500, today.year
    if name == "birth_year":  # a typo here skews the staff's age bands
        return today.year - WORKING_AGE[1], today.year - WORKING_AGE[0]
    if name == "year":  # a contest's: this year's and next year's are planned ahead
        return 1900, today.year + 1
    if name in COUNTS:
        return 0, MAX_INT
    if name == "version":
        return 1, MAX_INT
    return None


# A site's origin as people copy it from the address bar: scheme, host, port; a lone "/" at
# the end is taken, a page's path is not (a frame policy names sites, not pages).
ORIGIN = re.compile(r"(?P<scheme>https?)://(?P<host>[^\s/:?#@]+)(?::(?P<port>\d{1,5}))?/?", re.IGNORECASE)
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def frame_origins(text: str | None) -> list[str]:
    """The origins of a space-separated list of sites (public_frame_origins), as a
    Content-Security-Policy names them: https://xn--80aa.example:8443, an internationalised
    host in its ASCII form. ValueError naming the first that is not a site's origin."""
    found = []
    for word in (text or "").split():
        match = ORIGIN.fullmatch(word)
        try:
            host = match["host"].encode("idna").decode("ascii").lower() if match else ""
        except UnicodeError:
            host = ""
        port = match and match["port"]
        if not host or not all(HOST_LABEL.fullmatch(label) for label in host.split(".")) \
                or port and not 0 < int(port) < 65536:
            raise ValueError(word)
        found.append(f"{match['scheme'].lower()}://{host}" + (f":{int(port)}" if port else ""))
    return list(dict.fromkeys(found))


def problems(model, values: dict, pk=None) -> dict[str, str]:
    """Field -> translated message, for every rule these values break.

    One list of rules for forms and the API: years not in the future, counts not
    negative, dates in order, names unique within their tenant.
    """
    from flask_babel import gettext as _

    today = datetime.date.today()
    found = {}
    for name in (*YEARS, "birth_year", "year"):
        year, (low, high) = values.get(name), bounds(name)
        if isinstance(year, int) and not low <= year <= high:
            found[name] = _("Enter a year between %(low)d and %(high)d.", low=low, high=high)
    for name in PAST_DATES:
        day = values.get(name)
        if isinstance(day, datetime.date) and day > today:
            found[name] = _("This date is in the future.")
    for name in COUNTS:
        if (values.get(name) or 0) < 0:
            found[name] = _("Cannot be negative.")
    for column in model.__table__.columns:  # what a 32-bit INTEGER column holds
        value = values.get(column.key)
        if isinstance(column.type, Integer) and isinstance(value, int) and abs(value) > MAX_INT:
            found[column.key] = _("This number is too large.")
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL stores no NUL character
            found[column.key] = _("Remove the control characters from this text.")
        length = max_length(column)
        if isinstance(value, str) and length is not None and len(value) > length:
            found[column.key] = _("Enter at most %(max)d characters.", max=length)
        if isinstance(value, Decimal) and not value.is_finite():  # a form takes "NaN"
            found[column.key] = _("Enter a number.")
        elif isinstance(value, Decimal) and isinstance(column.type, Numeric) and column.type.precision \
                and abs(value) >= 10 ** (column.type.precision - (column.type.scale or 0)):
            found[column.key] = _("This number is too large.")
    rate = values.get("employment_rate")
    if rate is not None and "employment_rate" not in found and not 0 < rate <= 2:
        found["employment_rate"] = _("Enter a rate above 0 and at most 2, such as 0.5 or 1.")
    zone = values.get("time_zone")
    if zone is not None and zone not in TIME_ZONES:
        found["time_zone"] = _("Choose one of the listed time zones.")
    origins = values.get("public_frame_origins")
    if isinstance(origins, str) and "public_frame_origins" not in found:
        try:
            frame_origins(origins)
        except ValueError as error:
            found["public_frame_origins"] = _(
                "Enter the addresses of sites, such as https://library.example.ru, separated by "
                "spaces and without a page's path: %(value)s is not one.", value=str(error))
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        found["ends_on"] = _("The end comes before the start.")
    status = values.get("status")
    if status is not None and getattr(status, "name", status) == "closed" and not values.get("closed_on"):
        found["closed_on"] = _("A closed library needs its closing date.")
    for constraint in model.__table__.constraints:
        if isinstance(constraint, UniqueConstraint):
            for column in constraint.columns:
                if column.name in values and column.name not in found \
                        and unique_conflict(model, column.name, values, pk):
                    found[column.name] = _("Already exists: this value is taken by another record.")
    own_rules = getattr(model, "__rules__", None)  # a record type's own (app/records)
    for name, message in (own_rules(values) if own_rules else {}).items():
        found.setdefault(name, message)
    for name, message in misplaced_references(db.session, model, values).items():
        found.setdefault(name, message)  # an entry's contest: its district's or its region's
    return found
