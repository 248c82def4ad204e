"""XLSX and CSV files, streamed: rows are written as the database yields them, and the
response sends the file in chunks instead of holding it in memory."""
from __future__ import annotations

import csv
import datetime
import io
import math
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
# Excel opens a CSV file with the list separator of the Windows regional settings. Where
# the decimal sign is a comma (ru, bg) that separator is ";", elsewhere ",". With these,
# a double click opens the file in columns, and 0,75 reads as a number.
SEPARATORS = {"ru": ";", "bg": ";"}
DATE_FORMATS = {"ru": "DD.MM.YYYY", "bg": "DD.MM.YYYY"}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
# Column widths follow what the columns hold, within these bounds (in characters); a
# longer text wraps inside its cell instead of running over the next ones.
MIN_WIDTH, MAX_WIDTH = 8, 60
DEFAULT_WIDTH = 8  # a column no width is given for, in characters
LINE_HEIGHT = 15  # points: a line of the default 11-point font
DECIMAL_FORMAT = "0.00"  # Excel shows the separator of the reader's own settings (0,75)


@dataclass(frozen=True)
class Styled:
    """A spreadsheet cell with a format: a date, a percentage, a heading."""

    value: object
    number_format: str | None = None
    bold: bool = False


@dataclass
class Sheet:
    title: str
    rows: object  # an iterable of lists of cell values
    widths: tuple[int, ...] = ()
    frozen: str | None = None  # the top-left cell that does not scroll, e.g. "B2"
    landscape: bool = False  # printed across the page and shrunk to its width: a form's many columns


def attachment(body, filename: str, mimetype: str) -> Response:
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# -- XLSX ----------------------------------------------------------------------

def _sheet_title(title: str, taken: set) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "1"
    while title in taken:
        title = f"{title[:28]} {len(taken) + 1}"
    taken.add(title)
    return title


def fitted_widths(rows: list[list]) -> tuple[int, ...]:
    """Column widths for the longest value of each column among `rows` (the heading and a
    first batch of rows: a file is written as it is read), within MIN_WIDTH..MAX_WIDTH."""
    widths: list[int] = []
    for row in rows:
        for i, value in enumerate(row):
            value = value.value if isinstance(value, Styled) else value
            length = 10 if isinstance(value, datetime.date) else len(str(value)) if value is not None else 0
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], length)
    return tuple(max(MIN_WIDTH, min(MAX_WIDTH, w + 2)) for w in widths)


def _xlsx_cell(sheet, value, date_format: str):
    style = value if isinstance(value, Styled) else Styled(value)
    value, number_format, text, wrap = style.value, style.number_format, False, style.bold
    if isinstance(value, datetime.date):
        number_format = number_format or date_format
    elif isinstance(value, Decimal):
        number_format = number_format or DECIMAL_FORMAT
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        text = value.startswith("=")  # text, not a formula: names are data, never code
        wrap = wrap or len(value) > MAX_WIDTH
    if not (number_format or text or wrap):
        return value  # a plain value: the fast path of write-only mode
    cell = WriteOnlyCell(sheet, value)
    if text:
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if style.bold:
        cell.font = BOLD
    if wrap:
        cell.alignment = WRAP
    return cell


def _lines(row, widths: tuple[int, ...]) -> int:
    """How many lines the row's tallest wrapped cell takes (a heading, or a text longer than
    MAX_WIDTH, wraps within its column): LibreOffice shows a row at the height the file
    gives, and the lines of a taller cell would lie over the next rows."""
    lines = 1
    for i, value in enumerate(row):
        style = value if isinstance(value, Styled) else None
        text = style.value if style else value
        if not isinstance(text, str) or not (style and style.bold or len(text) > MAX_WIDTH):
            continue
        room = max((widths[i] if i < len(widths) else DEFAULT_WIDTH) - 1, 1)
        wide = 1.1 if style and style.bold else 1.0  # bold letters are wider
        lines = max(lines, sum(math.ceil(len(part) * wide / room) or 1 for part in text.split("\n")))
    return lines


def xlsx_chunks(sheets: list[Sheet], locale: str):
    """The workbook's bytes. openpyxl's write-only mode keeps no rows in memory; the
    workbook is assembled in a temporary file, then sent from it."""
    book, taken = Workbook(write_only=True), set()
    date_format = DATE_FORMATS.get(locale, "YYYY-MM-DD")
    for spec in sheets:
        sheet = book.create_sheet(_sheet_title(spec.title, taken))
        for i, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        if spec.frozen:
            sheet.freeze_panes = spec.frozen
        if spec.landscape:
            sheet.page_setup.orientation = "landscape"
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # as many pages down as needed
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for number, row in enumerate(spec.rows, start=1):
            lines = _lines(row, spec.widths)
            if lines > 1:  # set before the row is written; a reader need not measure it
                sheet.row_dimensions[number].height = LINE_HEIGHT * lines
            sheet.append([_xlsx_cell(sheet, value, date_format) for value in row])
    with tempfile.TemporaryFile() as file:
        book.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk


# -- CSV -----------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Styled):
        value = value.value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()  # Excel reads 2026-11-22 as a date in every locale
    if isinstance(value, (Decimal, float)):
        return str(value).replace(".", decimal)
    if isinstance(value, int):
        return str(value)
    value = str(value)
    # A cell that starts like a formula is one to Excel: the usual quote makes it text.
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_chunks(rows, locale: str):
    """UTF-8 with a byte order mark, so that Excel does not read it as ANSI."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=SEPARATORS.get(locale, ","))
    decimal = get_decimal_symbol(locale)
    for row in rows:
        writer.writerow([_csv_value(value, decimal) for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
