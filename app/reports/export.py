"""Exports of a record list: what the list shows (its filters, its order, its columns,
all its pages) in the user's scope and language, as XLSX or CSV."""
import datetime
import itertools
from decimal import Decimal

from flask import abort
from flask_appbuilder import expose, has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import get_locale

from app.choices import Choice
from app.extensions import db
from app.i18n import format_yes_no

from .files import XLSX, Sheet, Styled, attachment, csv_chunks, fitted_widths, xlsx_chunks

BATCH = 1000  # rows fetched from the database at a time


def cell(value):
    """A list value as a spreadsheet holds it: labels in the user's language, dates and
    numbers as themselves."""
    if isinstance(value, bool):
        return format_yes_no(value)
    if value is None or isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    return str(value)  # a choice's label, a related record's name, text


def cells(items, columns):
    """The rows of `items`; each choice and yes/no is translated once, not once a row."""
    labels = {}

    def label(value):
        if isinstance(value, (bool, Choice)):
            if value not in labels:
                labels[value] = cell(value)
            return labels[value]
        return cell(value)

    for item in items:
        yield [label(_value(item, column)) for column in columns]


class Exportable:
    """Adds /<view>/export/<xlsx|csv> to a ModelView, with the list's permission
    (map "export" to "list" in method_permission_name), and the buttons to its list."""

    list_template = "reports/list.html"

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt):
        if fmt not in ("xlsx", "csv"):
            abort(404)
        columns = list(self.list_columns)
        header = [str(self.label_columns.get(column, column)) for column in columns]
        # The request's own session, scoped to the user, reads the rows as they are sent;
        # Flask has ended the request by then, so the stream closes the session itself.
        session = db.session()
        query = self._export_query(session, columns)
        locale = str(get_locale())
        filename = f"{self.model.__tablename__}-{datetime.date.today().isoformat()}.{fmt}"
        if fmt == "csv":  # (text/csv: the response adds its one charset, utf-8)
            body, mimetype = csv_chunks(_prepend(header, cells(query, columns)), locale), "text/csv"
        else:
            body, mimetype = _workbook(query, columns, header, str(self.list_title), locale), XLSX
        return attachment(_closing(session, body), filename, mimetype)

    def _export_query(self, session, columns):
        """The list's query without its pages: the request's `_flt_` filters and order,
        the view's base filters; the session rule scopes it like the list."""
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters)
        order = get_order_args().get(type(self).__name__) or self.base_order or ("", "")
        query = session.query(self.model)  # apply_all loads the related rows the list shows
        query = self.datamodel.apply_all(query, filters.get_joined_filters(self._base_filters), *order)
        return query.yield_per(BATCH)


def _workbook(query, columns, header, title, locale):
    """The list as a workbook, read as it is sent: nothing is read before the response
    starts (a read begun in the view would be cut off when the request's session closes)."""
    rows = cells(query, columns)
    first = list(itertools.islice(rows, BATCH))  # the widths follow these rows
    heading = [Styled(h, bold=True) for h in header]
    sheet = Sheet(title, _prepend(heading, itertools.chain(first, rows)),
                  widths=fitted_widths([header, *first]), frozen="A2")
    yield from xlsx_chunks([sheet], locale)


def _value(item, column):
    value = getattr(item, column)
    return value() if callable(value) else value  # a list column may name a method


def _closing(session, body):
    try:
        yield from body
    finally:
        session.close()


def _prepend(first, rows):
    yield first
    yield from rows
