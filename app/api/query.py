"""Plain query parameters of a record list, for clients generated from the OpenAPI
document (they drop FAB's `q`, a parameter typed by content).

GET /api/v1/<resource>/ takes, beside `q`:

- `page` (the first page is 1), `page_size` (1 to FAB_API_MAX_PAGE_SIZE), `order_by` (one
  of the API's order_columns), `order_direction` (asc, the default, or desc);
- a filter per listed column: `name=` equal to, `name__contains=` (text: case and ё/е do
  not matter, app.search), `library=12` (a relation, by id), `active=true|false`, a
  choice by its code, and for numbers and dates (YYYY-MM-DD) `__gte`, `__lte`; `__ne`
  for choices, relations, numbers and dates.

They become the structure `q` holds (pages from 0, filters as {col, opr, value}) and FAB
runs it with the API's own filters, so the session rule of app.tenancy applies as to
any read: an id the user cannot see matches nothing, like one that does not exist. With
`q` as well, the filters of both apply, and a page or order given plainly wins over q's.
Anything else (a wrong value, a parameter given twice, one the list does not have) is a
400 that names each parameter at fault: a misspelt filter never returns everything.
"""
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from flask import current_app
from flask_appbuilder.models.sqla import filters as fab
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import Enum, false, or_

from app.search import DAYS, BadFilter, FoldedFilterConverter
from app.validation import MAX_INT, is_id, max_length

MIN_INT = -MAX_INT - 1
ALWAYS = ("q", "_l_")  # read on every request of the API (FAB's query, the language)
NOT_FILTERED = ("version",)  # an edit counter: comparing it across records means nothing
# The longest text a filter takes: SQLite refuses a GLOB pattern over 50,000 bytes, and a
# letter's pattern (app.search) takes up to a dozen ("[ιΙͅι]").
TEXT_FILTER_LENGTH = 1000
# ASCII digits only: int() and Decimal() would read other scripts' digits too
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WHOLE = re.compile(r"[+-]?[0-9]{1,10}")
DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")


# -- the API's filters: FAB's, with >= and <=, and relations and "not equal" that ----
# -- treat a missing row and an unset value the way the screens' text filters do ----

class _Typed:
    def check(self, value):
        """Raise BadFilter for a value of `q` FAB would silently skip (an unreadable date)."""
        if fab.set_value_to_type(self.datamodel, self.column_name, value) is None:
            raise BadFilter(_("This filter is not valid."))

    def _setup(self, query, value):
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        return query, field, fab.set_value_to_type(self.datamodel, self.column_name, value)


class GreaterEqual(_Typed, fab.BaseFilter):
    name = _l("Greater than or equal to")
    arg_name = "gte"

    def apply(self, query, value):
        query, field, value = self._setup(query, value)
        return query.filter(field >= value)


class SmallerEqual(_Typed, fab.BaseFilter):
    name = _l("Smaller than or equal to")
    arg_name = "lte"

    def apply(self, query, value):
        query, field, value = self._setup(query, value)
        return query.filter(field <= value)


class NotEqual(fab.FilterNotEqual):
    """Anything but the value, an unset one included (as the text filters, app.search)."""

    def apply(self, query, value):
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        value = fab.set_value_to_type(self.datamodel, self.column_name, value)
        if value is None:  # q's "not equal to null": set (FAB's meaning)
            return query.filter(field.is_not(None))
        return query.filter(or_(field != value, field.is_(None)))


def _related(flt, value):
    """The row with this id, read through the session rule; None when the user cannot
    see it or it does not exist (FAB would compare with NULL: an unset parent matched)."""
    return flt.datamodel.get_related_obj(flt.column_name, int(value)) if is_id(value) else None


class RelatedEqual(fab.FilterRelationOneToManyEqual):
    def apply(self, query, value):
        related = _related(self, value)
        if related is None:
            return query.filter(false())
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        return query.filter(field == related)


class RelatedNotEqual(fab.FilterRelationOneToManyNotEqual):
    def apply(self, query, value):
        related = _related(self, value)
        if related is None:
            return query
        query, field = fab.get_field_setup_query(query, self.model, self.column_name)
        return query.filter(or_(field != related, field == None))  # noqa: E711 (SQL's IS NULL)


ORDERED = ("is_integer", "is_float", "is_numeric", "is_date", "is_datetime")
REPLACED = {fab.FilterNotEqual: NotEqual, DAYS[fab.FilterNotEqual]: NotEqual,
            fab.FilterRelationOneToManyEqual: RelatedEqual, fab.FilterRelationOneToManyNotEqual: RelatedNotEqual}


class FilterConverter(FoldedFilterConverter):
    """An API's filters per column type (FAB's order kept; new ones at the end)."""

    conversion_table = tuple(
        (test, [REPLACED.get(flt, flt) for flt in found] + ([GreaterEqual, SmallerEqual] if test in ORDERED else []))
        for test, found in FoldedFilterConverter.conversion_table)


# -- the parameters ------------------------------------------------------------------

class Invalid(ValueError):
    """A parameter's value that cannot be used; its text is the translated reason."""


@dataclass(frozen=True)
class Param:
    name: str
    parse: Callable[[str], object]
    schema: dict
    describe: Callable[[], str]
    column: str | None = None  # FAB's filter: column and operation
    opr: str | None = None


def _page(text):
    if not (WHOLE.fullmatch(text) and 1 <= int(text) <= MAX_INT):
        raise Invalid(_("Enter a page number: the first page is 1."))
    return int(text)


def _page_size(text):
    cap = current_app.config["FAB_API_MAX_PAGE_SIZE"]
    if not (WHOLE.fullmatch(text) and 1 <= int(text) <= cap):
        raise Invalid(_("A page shows between 1 and %(max)d rows.", max=cap))
    return int(text)


def _one_of(values, message):
    def parse(text):
        if text not in values:
            raise Invalid(message(values))
        return text
    return parse


def _flag(text):
    if text not in ("true", "false"):
        raise Invalid(_("This filter takes true or false."))
    return text == "true"


def _id(text):
    if not (text.isascii() and text.isdigit() and is_id(text) and int(text) >= 1):
        raise Invalid(_("Enter the id of an existing record."))
    return int(text)


def _whole(text):
    if not (WHOLE.fullmatch(text) and MIN_INT <= int(text) <= MAX_INT):
        raise Invalid(_("Enter a whole number from %(low)d to %(high)d.", low=MIN_INT, high=MAX_INT))
    return int(text)


def _decimal(text):
    try:
        number = Decimal(text) if DECIMAL.fullmatch(text) else None
    except InvalidOperation:
        number = None
    if number is None or abs(number) > MAX_INT:
        raise Invalid(_("Enter a number in the filter."))
    return number


def _day(text):
    day = None
    if DAY.fullmatch(text):
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:  # 2019-02-31
            pass
    if day is None:
        raise Invalid(_("Enter a date as YYYY-MM-DD, such as 2024-03-15."))
    return day


def _text(length):
    def parse(text):
        if "\x00" in text:  # no database can be asked about it
            raise Invalid(_("Remove the control characters from this text."))
        if len(text) > length:
            raise Invalid(_("Enter at most %(max)d characters.", max=length))
        return text
    return parse


TEXT_PATTERN = "^[^\\x00]*$"
DESCRIBE = {  # (kind, operation) -> what the parameter selects
    ("text", "eq"): _l("%(column)s: equal to this text; case and ё/е do not matter."),
    ("text", "ct"): _l("%(column)s: contains this text; case and ё/е do not matter."),
    ("id", "rel_o_m"): _l("%(column)s: the id of the record; one you cannot see matches nothing."),
    ("id", "nrel_o_m"): _l("%(column)s: any but the record with this id."),
    ("id", "rel_m_m"): _l("%(column)s: among them the record with this id; one you cannot see matches nothing."),
    ("value", "eq"): _l("%(column)s: equal to this value."),
    ("value", "neq"): _l("%(column)s: anything but this value, unset included."),
    ("value", "gte"): _l("%(column)s: this value or more."),
    ("value", "lte"): _l("%(column)s: this value or less."),
    ("day", "gte"): _l("%(column)s: this day or later."),
    ("day", "lte"): _l("%(column)s: this day or earlier."),
}
SUFFIXES = {"eq": "", "ct": "__contains", "neq": "__ne", "gte": "__gte", "lte": "__lte",
            "rel_o_m": "", "nrel_o_m": "__ne", "rel_m_m": ""}


class ListQuery:
    """The plain parameters of one API's list: read from the request into `q`'s
    structure, and described in the OpenAPI document."""

    def __init__(self, api):
        self.api = api
        self.resource = type(api).__name__.removesuffix("Api")
        self.order_schema = f"{self.resource}OrderBy"
        if not api.base_order:  # pages that do not overlap, whatever the database
            api.base_order = (api.datamodel.get_pk_name(), "asc")
        api._apispec_parameter_schemas = {  # FAB's dict is shared by every API
            **api._apispec_parameter_schemas,
            self.order_schema: {"type": "string", "enum": list(api.order_columns)},
            "OrderDirection": {"type": "string", "enum": ["asc", "desc"]},
        }
        self.params = {p.name: p for p in (*self._paging(), *self._filters())}

    def _paging(self):
        api, cap = self.api, current_app.config["FAB_API_MAX_PAGE_SIZE"]
        yield Param("page", _page, {"type": "integer", "minimum": 1, "maximum": MAX_INT},
                    lambda: _("The page number: the first page is 1. Without page and page_size, "
                              "the first %(size)d rows.", size=api.page_size))
        yield Param("page_size", _page_size, {"type": "integer", "minimum": 1, "maximum": cap},
                    lambda: _("Rows per page, from 1 to %(max)d (%(size)d when not given).",
                              max=cap, size=api.page_size))
        yield Param("order_by", _one_of(list(api.order_columns), lambda values: _(
                        "Sort by one of: %(columns)s.", columns=", ".join(values))),
                    {"$ref": f"#/components/schemas/{self.order_schema}"},
                    lambda: _("The column to sort by."))
        yield Param("order_direction", _one_of(["asc", "desc"], lambda values: _("The order is asc or desc.")),
                    {"$ref": "#/components/schemas/OrderDirection"},
                    lambda: _("asc (the default) or desc, with order_by."))

    def _filters(self):
        api, datamodel = self.api, self.api.datamodel
        offered = {column: [f.arg_name for f in found]
                   for column, found in api._filters.get_search_filters().items()}
        for listed in api.list_columns:
            column = listed.removesuffix(".id")
            if column in NOT_FILTERED or column not in offered or "." in column:
                continue
            kind, operations, parse, schema = self._kind(datamodel, column)
            for operation in operations:
                if operation in offered[column]:
                    label = api.label_columns.get(column, column)
                    text = DESCRIBE.get((kind, operation)) or DESCRIBE[("value", operation)]
                    yield Param(column + SUFFIXES[operation], parse, schema,
                                lambda text=text, label=label: text % {"column": label},
                                column, operation)

    @staticmethod
    def _kind(datamodel, column):
        """(kind, FAB's operations in order, parser, JSON schema) of a column's filters."""
        if datamodel.is_relation_many_to_one(column):
            return "id", ("rel_o_m", "nrel_o_m"), _id, {"type": "integer", "minimum": 1, "maximum": MAX_INT}
        if datamodel.is_relation_many_to_many(column):
            return "id", ("rel_m_m",), _id, {"type": "integer", "minimum": 1, "maximum": MAX_INT}
        kind = datamodel.list_columns[column].type
        if isinstance(kind, Enum):
            codes = list(kind.enum_class.__members__) if kind.enum_class is not None else list(kind.enums)
            return "value", ("eq", "neq"), _one_of(codes, lambda values: _(
                "Choose one of: %(choices)s.", choices=", ".join(values))), {"type": "string", "enum": codes}
        if datamodel.is_boolean(column):
            return "value", ("eq",), _flag, {"type": "boolean"}
        if datamodel.is_integer(column):
            return "value", ("eq", "neq", "gte", "lte"), _whole, \
                {"type": "integer", "format": "int32", "minimum": MIN_INT, "maximum": MAX_INT}
        if datamodel.is_numeric(column) or datamodel.is_float(column):
            return "value", ("eq", "neq", "gte", "lte"), _decimal, \
                {"type": "number", "minimum": -MAX_INT, "maximum": MAX_INT}
        if datamodel.is_date(column):
            return "day", ("eq", "neq", "gte", "lte"), _day, {"type": "string", "format": "date"}
        length = min(max_length(datamodel.list_columns[column]), TEXT_FILTER_LENGTH)
        return "text", ("eq", "ct"), _text(length), {"type": "string", "maxLength": length,
                                                      "pattern": TEXT_PATTERN}

    # -- a request -------------------------------------------------------------

    def merge(self, args, rison: dict) -> dict:
        """`q`'s structure (FAB's `rison` argument) with the plain parameters of `args`
        added. Raises BadQuery with each parameter's reason."""
        errors, values = {}, {}
        for name, given in args.lists():
            if name in ALWAYS:
                continue
            param = self.params.get(name)
            if param is None:
                errors[name[:100]] = [_("This list has no such parameter.")]
            elif len(given) > 1:
                errors[name] = [_("Give this parameter only once.")]
            else:
                try:
                    values[name] = param.parse(given[0])
                except Invalid as invalid:
                    errors[name] = [str(invalid)]
        if errors:
            raise BadQuery(errors)
        if not values:
            return rison
        merged = dict(rison)
        if "page" in values:
            merged["page"] = values["page"] - 1  # q counts pages from 0
        for name, key in (("page_size", "page_size"), ("order_by", "order_column"),
                          ("order_direction", "order_direction")):
            if name in values:
                merged[key] = values[name]
        if "order_by" in values and "order_direction" not in merged:
            merged["order_direction"] = "asc"
        filters = [{"col": self.params[name].column, "opr": self.params[name].opr, "value": value}
                   for name, value in values.items() if self.params[name].column]
        if filters:
            merged["filters"] = [*(merged.get("filters") or []), *filters]
        return merged

    # -- the document ------------------------------------------------------------

    def document(self, operation: dict) -> None:
        """The list operation's parameters: each plain one typed, bounded and described."""
        parameters = operation.setdefault("parameters", [])
        known = {parameter.get("name") for parameter in parameters}
        for param in self.params.values():
            if param.name not in known:
                text = param.describe()  # a generated client reads it from the schema
                schema = param.schema if "$ref" in param.schema else {**param.schema, "description": text}
                parameters.append({"in": "query", "name": param.name, "required": False,
                                   "description": text, "schema": schema})


class BadQuery(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    @property
    def message(self) -> str:
        return _("Check the query parameters.")
