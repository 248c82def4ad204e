"""What every request must be before any view reads it.

- An id in the path fits an INTEGER column (else: not found, like a missing record).
- A JSON body parses, holds no lone surrogate (no database or encoder takes one), no
  NaN or Infinity, and nests at most MAX_DEPTH levels (Python's parser recurses: a deep
  enough body is a RecursionError). Login included: it runs before any view.
- The list parameters FAB reads on every screen (`page_<View>`, `psize_<View>`,
  `_oc_<View>`, `_flt_<n>_<column>`) hold what the list they name can use: FAB itself
  calls int() on them, sorts by any text and hands filter values to the database.
- An API's `q` (pages, order, each filter's value against its column's type) and the
  integer fields of a record it is sent, for every ModelRestApi, FAB's own included.

Anything else is refused with a translated 400 (413 for a body over MAX_CONTENT_LENGTH,
app.errors), and no view runs: nothing is read, nothing changes.
"""
import json
import math
import re
from decimal import Decimal, InvalidOperation

import prison
from flask import abort, current_app, request
from flask_appbuilder import ModelRestApi
from flask_babel import gettext as _
from sqlalchemy import Boolean, Enum, Float, Integer, Numeric, String, select

from app.errors import BadInput
from app.extensions import db
from app.validation import MAX_INT, is_id

MAX_BIGINT = 2**63 - 1
MAX_DEPTH = 32  # a record is an object of scalars; FAB's q nests a few levels
SURROGATE = re.compile("[\ud800-\udfff]")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def init_app(app) -> None:
    """The body is checked first of all hooks: nothing may read it before (the login limits
    read the user name in it)."""
    app.before_request(check_body)


def init_views(app) -> None:
    """The rest once the security manager's hook has read the user and its scope: a refusal
    is drawn in the user's language, a record looked up in the user's scope."""
    app.before_request(check_request)


def check_body():
    if request.method in BODY_METHODS and request.mimetype == "multipart/form-data":
        _allow_a_file()
    if request.method in BODY_METHODS and request.is_json and request.content_length != 0:
        body = check_json(request.get_data(cache=True))
        if request.path.startswith("/api/") and not isinstance(body, dict):
            raise BadInput(_("Send the record as a JSON object."))  # every API takes an object


def _allow_a_file() -> None:
    """A screen or API that takes a file takes a multipart body as large as the file may be,
    besides its form: an attachment (app.attachments), a spreadsheet to import (app/imports,
    which refuses one over its own limit in words). A larger one is refused naming the limit."""
    importing = bool(request.endpoint) and request.endpoint.endswith((".import_page", ".import_file"))
    if not importing and not getattr(_request_view(), "takes_files", False):
        return
    size = current_app.config["IMPORT_MAX_BYTES" if importing else "ATTACHMENT_MAX_BYTES"]
    limit = size + current_app.config["MAX_CONTENT_LENGTH"]
    request.max_content_length = limit
    if (request.content_length or 0) > limit:
        from flask_babel import LazyString
        from werkzeug.exceptions import RequestEntityTooLarge

        from app.attachments import too_large
        from app.imports.files import too_large as too_large_to_import

        error = RequestEntityTooLarge()  # said in the user's language, once it is known:
        error.message = LazyString(lambda: too_large_to_import(size) if importing else too_large())
        raise error


def check_request():
    if request.view_args and any(_past_any_id(v) for v in request.view_args.values()):
        abort(404)  # a record that cannot exist is as missing as one that does not
    if request.method in BODY_METHODS and request.is_json and isinstance(_request_view(), ModelRestApi):
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            check_record(_request_view().datamodel, body)
    if request.method == "POST" and request.form and not getattr(_request_view(), "text_checked_per_field", False):
        if any("\x00" in value for value in request.form.values()):  # PostgreSQL stores none
            raise BadInput(_("Remove the control characters from the text."))
    if request.endpoint and request.endpoint.endswith(".download"):
        abort(404)  # no record holds a file; FAB's route would send any name (and 500 without a folder)
    if request.endpoint and request.endpoint.endswith((".action", ".action_post")):
        _check_action()
    if not request.args:
        return
    if not request.path.startswith("/api/"):
        check_list_args()
    elif request.args.get("q") and isinstance(_request_view(), ModelRestApi):
        check_query(_request_view(), parse_query(request.args["q"]))


def _past_any_id(value) -> bool:
    # An integer column ends at MAX_INT, SQLite's driver at 64 bits (an OverflowError).
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return len(value) > 10 or int(value) > MAX_INT  # int() refuses past 4,300 digits
    return isinstance(value, int) and value > MAX_INT


# -- JSON bodies ---------------------------------------------------------------------


def _no_constant(name):
    raise ValueError(name)  # NaN, Infinity: not JSON


def check_json(data: bytes):
    try:
        value = json.loads(data, parse_constant=_no_constant) if data.strip() else None
    except RecursionError:
        raise BadInput(_("The request nests too deeply.")) from None
    except ValueError:  # UnicodeDecodeError included
        raise BadInput(_("The request body is not valid JSON.")) from None
    check_value(value)
    return value


def check_record(datamodel, body: dict) -> None:
    """An id or count past an INTEGER column, or not a number at all: FAB's own APIs
    (accounts, roles, permissions) would hand it to the database."""
    for name, value in body.items():
        column = datamodel.list_columns.get(name) if isinstance(name, str) else None
        if column is None or not isinstance(column.type, Integer) or value is None:
            continue
        if type(value) is not int:  # 1.5, "1", true
            raise BadInput(_("Enter a whole number."), field=name)
        if abs(value) > MAX_INT:
            raise BadInput(_("Enter a whole number up to %(max)d.", max=MAX_INT), field=name)
        for key in column.foreign_keys:  # FAB's permission API inserts any id it is given
            if db.session.execute(select(key.column).where(key.column == value)).first() is None:
                raise BadInput(_("No such record."), field=name)


def _check_action():
    """FAB's own screens (users, roles) answer an unknown action with a 500."""
    view = _request_view()
    name = (request.view_args or {}).get("name", request.form.get("action"))
    if view is not None and name not in (getattr(view, "actions", None) or {}):
        abort(404)


def check_value(value) -> None:
    """Refuse a lone surrogate, a non-finite number or more than MAX_DEPTH levels, in a
    parsed JSON (or Rison) value. Iterative: the depth is what it checks."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadInput(_("The request nests too deeply."))
        if isinstance(node, dict):
            stack.extend((key, depth) for key in node)
            stack.extend((item, depth + 1) for item in node.values())
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str) and SURROGATE.search(node):
            raise BadInput(_("The request holds text that is not valid Unicode."))
        elif isinstance(node, float) and not math.isfinite(node) \
                or isinstance(node, int) and abs(node) > MAX_BIGINT:  # past any column
            raise BadInput(_("A number in the request is out of range."))


# -- an API's q ---------------------------------------------------------------------


def parse_query(value: str):
    """`q` as FAB reads it: Rison, else JSON; refused when neither, or when FAB's Rison
    parser fails in a way FAB does not expect."""
    try:
        args = prison.loads(value)
    except Exception:
        try:
            args = json.loads(value, parse_constant=_no_constant)
        except RecursionError:
            raise BadInput(_("The request nests too deeply.")) from None
        except ValueError:
            raise BadInput(_("The query (q) is neither Rison nor JSON.")) from None
    check_value(args)
    return args


MANY = ("in", "not_in")  # the operations that take a list


def check_query(api, args) -> None:
    """Raise BadInput for a `q` FAB would fail on: not an object, a page past any table,
    an order FAB does not offer, a filter value of the wrong shape or type."""
    if not isinstance(args, dict):
        raise BadInput(_("The query (q) must be an object."))
    for key in ("page", "page_size"):
        number = args.get(key)
        if number is not None and (type(number) is not int or not 0 <= number <= MAX_INT):
            raise BadInput(_("This page number is not valid."))
    order = args.get("order_column")
    if order is not None and (not isinstance(order, str) or order not in api.order_columns):
        raise BadInput(_("This list cannot be sorted by that column."))
    if args.get("order_direction") not in (None, "asc", "desc"):
        raise BadInput(_("The order is asc or desc."))
    filters = args.get("filters", [])
    if not isinstance(filters, list):
        raise BadInput(_("Filters must be a list."))
    for item in filters:
        if not isinstance(item, dict) or not {"col", "opr", "value"} <= item.keys():
            raise BadInput(_("Each filter needs a column (col), an operation (opr) and a value."))
        value, many = item["value"], item["opr"] in MANY
        if many != isinstance(value, list):
            raise BadInput(_("This filter takes a list of values.") if many
                           else _("This filter takes one value."))
        for one in value if many else [value]:
            _check_filter_value(api.datamodel, item["col"], one)


def _check_filter_value(datamodel, name, value) -> None:
    """A value the column's filters can compare: the database refuses (PostgreSQL) or
    FAB fails on (a number for a text pattern) anything else."""
    if isinstance(value, (list, dict)):
        raise BadInput(_("A filter value must be a text or a number."))
    if isinstance(value, str) and "\x00" in value:
        raise BadInput(_("Remove the control characters from this text."))
    column = datamodel.list_columns.get(name) if isinstance(name, str) else None
    kind = getattr(column, "type", None)
    if column is None:
        if isinstance(name, str) and datamodel.is_relation(name) and not _is_id(value):
            raise BadInput(_("Enter the id of an existing record."))
    elif isinstance(kind, Enum):
        if not isinstance(value, str) or kind.enum_class is not None and value not in kind.enum_class.__members__:
            raise BadInput(_("Not a valid choice."))
    elif isinstance(kind, String):
        if not isinstance(value, str):
            raise BadInput(_("A text filter takes a text."))
    elif isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise BadInput(_("This filter takes true or false."))
    elif isinstance(kind, (Integer, Numeric)) and value is not None:
        number = value
        if isinstance(value, str) and isinstance(kind, Integer):  # FAB reads it with int()
            number = int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None
        # a decimal column takes a JSON number: FAB hands a text to PostgreSQL as text
        if isinstance(number, bool) or not isinstance(number, (int, float)) \
                or not math.isfinite(number) or abs(number) > MAX_INT:
            raise BadInput(_("Enter a number in the filter."))


def _is_id(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, str)) and is_id(value)


# -- list parameters -----------------------------------------------------------------

# FAB's own patterns (flask_appbuilder.urltools), searched anywhere in a parameter's name.
PAGE, PAGE_SIZE, ORDER, FILTER = (re.compile(p) for p in (
    "page_(.*)", "psize_(.*)", "_oc_(.*)", r"_flt_(\d)_(.*)"))


def _views() -> dict:
    return {type(view).__name__: view for view in current_app.appbuilder.baseviews}


def _request_view():
    """The FAB view that answers this request, if any (its filters read `_flt_`)."""
    function = current_app.view_functions.get(request.endpoint)
    return getattr(function, "__self__", None)


def _whole(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def check_list_args() -> None:
    views = None
    for name, value in request.args.items(multi=True):
        if "\x00" in value:  # PostgreSQL refuses a NUL in any text
            raise BadInput(_("Remove the control characters from the address."))
        if PAGE.search(name):
            page = _whole(value)
            if page is None or page > MAX_INT:
                raise BadInput(_("This page number is not valid."))
        elif PAGE_SIZE.search(name):
            size, cap = _whole(value), current_app.config["FAB_API_MAX_PAGE_SIZE"]
            if size is None or size > cap:
                raise BadInput(_("A page shows between 1 and %(max)d rows.", max=cap))
        elif match := ORDER.search(name):
            if views is None:
                views = _views()
            view = views.get(match[1])
            if view is not None and value and value not in (view.order_columns or ()):
                raise BadInput(_("This list cannot be sorted by that column."))
        elif match := FILTER.search(name):
            _check_filter(_request_view(), int(match[1]), match[2], value)


def _check_filter(view, index: int, column: str, value: str) -> None:
    filters = getattr(getattr(view, "_filters", None), "_all_filters", None)
    if filters is None or column not in filters:
        return  # FAB ignores a filter on a column it does not know
    if index >= len(filters[column]):
        raise BadInput(_("This filter is not valid."))
    if "." in column:
        return
    datamodel = view.datamodel
    if datamodel.is_relation(column):
        if not is_id(value):  # FAB compares the key column with it: past INTEGER on PostgreSQL
            raise BadInput(_("Enter the id of an existing record."))
        return
    try:
        kind = datamodel.list_columns[column].type
    except (AttributeError, KeyError):
        return
    if isinstance(kind, Enum):
        if kind.enum_class is not None and value not in kind.enum_class.__members__:
            raise BadInput(_("Not a valid choice."))
    elif isinstance(kind, Boolean):
        if value != "y":  # FAB's checkbox; any other text reaches PostgreSQL as text
            raise BadInput(_("This filter takes true or false."))
    elif isinstance(kind, Integer):
        number = value.strip().lstrip("-+")
        if not (number.isascii() and number.isdigit() and len(number) <= 10) or int(number) > MAX_INT:
            raise BadInput(_("Enter a whole number in the filter."))
    elif isinstance(kind, (Numeric, Float)):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) > MAX_INT:
            raise BadInput(_("Enter a number in the filter."))
