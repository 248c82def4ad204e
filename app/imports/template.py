"""The spreadsheet a user fills to import records: its first sheet has the headings in
the user's language (required ones marked *) with drop-down lists for choices and for the
records of the user's scope a column names; a second sheet says what each column means,
its format and whether it is required, with an example row."""
from __future__ import annotations

import datetime
import io

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db

from .fields import label_column

MAX_LISTED = 2000  # a drop-down of more names than this is no help: the column is typed


def template(record_type) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from .kinds import describe

    kind = describe(record_type)
    columns = kind.template_columns()
    book = Workbook()
    data = book.active
    data.title = _("Records")[:31]
    lists = book.create_sheet(_("Lists")[:31])
    guide = book.create_sheet(_("Instructions")[:31])
    data.append([kind.label(f) + (" *" if f.required else "") for f in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for n, f in enumerate(columns, start=1):
        letter = data.cell(row=1, column=n).column_letter
        data.column_dimensions[letter].width = max(14, min(40, len(kind.label(f)) + 4))
        options = _options(kind, f)
        if options:
            for row, option in enumerate(options, start=1):
                _cell(lists, row, n, option)
            rule = DataValidation(type="list", formula1=f"'{lists.title}'!${letter}$1:${letter}${len(options)}",
                                  allow_blank=not f.required, showErrorMessage=f.kind != "one")
            rule.error = _("Choose a value from the list.")
            data.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}10001")
        if f.kind == "date":
            for row in range(2, 200):
                data.cell(row=row, column=n).number_format = "DD.MM.YYYY"
    lists.sheet_state = "hidden"
    guide.append([_("Column"), _("What it holds"), _("Format"), _("Required"), _("Example")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row, f in enumerate(columns, start=2):
        for column, value in enumerate([kind.label(f), kind.description(f), kind.format(f) or _format(f),
                                        _("yes") if f.required else _("no"), _example(kind, f)], start=1):
            _cell(guide, row, column, value)
    guide.append([])
    guide.append([_("Rows are matched to existing records by %(key)s: a row with the same values "
                    "updates that record, any other row adds one. Leave a column out to keep what "
                    "the records hold.", key=", ".join(_label(kind, columns, k) for k in kind.natural_key))])
    for line in kind.guide():
        guide.append([line])
    for letter, width in zip("ABCDE", (28, 48, 36, 12, 28)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet, row: int, column: int, value):
    """A cell as text the spreadsheet never runs: no control characters, "=..." not a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32000]
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _label(kind, columns, name) -> str:
    return next((kind.label(f) for f in columns if f.name == name), None) or \
        str(kind.view.label_columns.get(name, name))


def _options(kind, f) -> list[str]:
    own = kind.options(f)
    if own is not None:
        return own
    if f.kind == "choice":
        return [str(member) for member in f.choices]
    if f.kind == "bool":
        return [_("yes"), _("no")]
    if f.kind == "one":
        names = db.session.scalars(select(label_column(f.target)).order_by(label_column(f.target))
                                   .limit(MAX_LISTED + 1)).all()
        unique = list(dict.fromkeys(str(n) for n in names if n))
        return unique if len(names) <= MAX_LISTED else []
    return []


def _format(f) -> str:
    return {
        "text": _("text"), "int": _("a whole number"), "decimal": _("a number; a decimal comma or point"),
        "date": _("a date as DD.MM.YYYY or YYYY-MM-DD"), "bool": _("yes or no"),
        "choice": _("one of the list"), "one": _("a name, as on its screen"),
        "many": _("names separated by ;"),
    }[f.kind]


def _example(kind, f):
    own = kind.example(f)
    if own is not None:
        return own
    today = datetime.date.today()
    if f.kind == "choice":
        return str(next(iter(f.choices)))
    if f.kind == "bool":
        return _("yes")
    if f.kind == "date":
        return today.strftime("%d.%m.%Y")
    if f.kind == "int":
        return 1990 if "year" in f.name else 12
    if f.kind == "decimal":
        return "0,5"
    if f.kind in ("one", "many"):
        return _options(kind, f)[0] if _options(kind, f) else ""
    return ""
