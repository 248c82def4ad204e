"""Reading an uploaded spreadsheet: XLSX, or CSV as Russian and Bulgarian Excel writes it
(`;` or `,`, UTF-8 with or without BOM, or Windows-1251).

What is not an ordinary spreadsheet is refused whole, before any row is read, with a
reason the user can act on: too large, not a spreadsheet, macro-enabled, protected by a
password, unpacking to far more than it weighs (a zip bomb), or holding formulas (whose
values the file does not carry in a form we may trust)."""
from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a password-protected XLSX, or an old .xls
ZIP = b"PK\x03\x04"
UNPACKED_FACTOR = 10  # an XLSX unpacks to a few times its size; far more is not a spreadsheet
MAX_ROWS = 100_000


class FileRefused(Exception):
    """The whole file is refused: nothing of it is read or written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headings: list[str]
    rows: list[tuple[int, list]]  # (its row number in the file, its cells)


def read(name: str, data: bytes, limit: int) -> Table:
    if len(data) > limit:
        raise FileRefused(too_large(limit))
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(OLE):
        raise FileRefused(_("The file is protected by a password or saved in the old Excel format (.xls): "
                            "save it as an .xlsx workbook without a password."))
    if data.startswith(ZIP):
        return _xlsx(data, limit)
    if name.lower().rsplit(".", 1)[-1] in ("xlsx", "xlsm", "xls", "ods", "zip"):
        raise FileRefused(_not_a_spreadsheet())
    return _csv(data)


def too_large(limit: int) -> str:
    from app.attachments import size_text

    return _("The file is larger than %(size)s: split it, or import the rows in parts.", size=size_text(limit))


def _not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet: save it as an .xlsx workbook or as .csv.")


def _xlsx(data: bytes, limit: int) -> Table:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError):
        raise FileRefused(_not_a_spreadsheet()) from None
    if "xl/workbook.xml" not in names or not types:
        raise FileRefused(_not_a_spreadsheet())  # an .ods, a .docx, any zip
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise FileRefused(_("The workbook holds macros: save it as an ordinary .xlsx workbook."))
    if unpacked > max(limit, 1) * UNPACKED_FACTOR:
        raise FileRefused(_("The workbook unpacks to far more than its size: it is not an ordinary "
                            "spreadsheet."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise FileRefused(_("Cell %(cell)s holds a formula: paste the values instead of the "
                                        "formulas (Paste Special, Values only) and save again.",
                                        cell=cell.coordinate))
                cells.append(cell.value)
            rows.append((number, cells))
            if number > MAX_ROWS + 1:
                raise FileRefused(_too_many())
        book.close()
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise FileRefused(_not_a_spreadsheet()) from None
    return _table(rows)


def _too_many() -> str:
    return _("The file has more than %(rows)s rows: import it in parts.", rows=f"{MAX_ROWS:,}".replace(",", " "))


def _csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:  # UTF-16, or a binary file
        raise FileRefused(_("Save the file as CSV in UTF-8 or Windows-1251, or as an .xlsx workbook."))
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")  # what Russian Excel writes
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        for column, value in enumerate(cells):
            if value.startswith("="):
                raise FileRefused(_("Cell %(cell)s holds a formula: paste the values instead of the "
                                    "formulas (Paste Special, Values only) and save again.",
                                    cell=f"{_letter(column)}{number}"))
        rows.append((number, cells))
        if number > MAX_ROWS + 1:
            raise FileRefused(_too_many())
    return _table(rows)


def _letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _table(rows: list[tuple[int, list]]) -> Table:
    """The first non-empty row is the headings; rows with nothing in them are left out."""
    rows = [(n, cells) for n, cells in rows if any(_filled(c) for c in cells)]
    if not rows:
        raise FileRefused(_("The file is empty."))
    (_n, headings), *rest = rows
    return Table([_heading(c) for c in headings], rest)


def _filled(value) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _heading(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return " ".join(str(value).split())
