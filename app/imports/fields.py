"""The columns of a record type's spreadsheet: its form's fields, each named in Russian,
Bulgarian and English, and how a cell becomes a value (a date as ДД.ММ.ГГГГ or ISO, a
decimal comma or point, a choice by its label in any of the three languages, a related
record by its name among those the user reads)."""
from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, Enum, Integer, Numeric, inspect, select
from sqlalchemy.orm import RelationshipDirection

from app.extensions import db
from app.i18n import speaking
from app.search import fold, folded

LOCALES = ("ru", "bg", "en")
YES = {"да", "yes", "true", "1", "+", "д", "y", "x", "истина"}
NO = {"нет", "не", "no", "false", "0", "-", "н", "n", "ложь"}
DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class Bad(Exception):
    """A cell that holds no value of its column: its message says what would. `field`:
    the column to name, where the refusal is the row's but one cell is at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, int, decimal, date, bool, choice, one (a related record), many
    required: bool
    choices: type | None = None
    target: type | None = None  # the related record's class

    def label(self, view) -> str:
        """The column's heading in the user's language: the form's label."""
        return str(view.label_columns.get(self.name, self.name))


def view_of(record_type):
    """The record type's screen as FAB built it (its labels are complete there)."""
    return next(v for v in current_app.appbuilder.baseviews if isinstance(v, record_type.view))


def fields(record_type) -> list[Field]:
    model, out = record_type.model, []
    mapper = inspect(model)
    for name in record_type.view.add_columns:
        if name in mapper.relationships:
            rel = mapper.relationships[name]
            many = rel.direction is RelationshipDirection.MANYTOMANY
            if rel.direction is RelationshipDirection.ONETOMANY:
                continue
            required = not many and any(not c.nullable for c in rel.local_columns)
            out.append(Field(name, "many" if many else "one", required, target=rel.mapper.class_))
        elif name in mapper.columns:
            column = mapper.columns[name]
            required = not column.nullable and column.default is None and column.server_default is None
            kind = ("choice" if isinstance(column.type, Enum) else "bool" if isinstance(column.type, Boolean)
                    else "int" if isinstance(column.type, Integer) else "decimal" if isinstance(column.type, Numeric)
                    else "date" if isinstance(column.type, Date) else "text")
            out.append(Field(name, kind, required, choices=getattr(column.type, "enum_class", None)))
    return out


def normal(text) -> str:
    """A heading or a choice as compared: case and spacing aside, without a trailing * or :."""
    return fold(" ".join(str(text).split())).rstrip("*: ").strip()


def headings(field: Field, label) -> set[str]:
    """Every heading that names the field: its label (`label(field)`) in each language, and its name."""
    names = {normal(field.name)}
    for locale in LOCALES:
        with speaking(locale):
            names.add(normal(label(field)))
    return names


def choice_labels(field: Field) -> dict[str, object]:
    """Folded label (in each language) or code -> the choice."""
    return _choice_labels(field.choices)


@functools.cache
def _choice_labels(choices) -> dict[str, object]:
    found = {}
    for member in choices:
        found[normal(member.name)] = member
        for locale in LOCALES:
            with speaking(locale):
                found.setdefault(normal(str(member)), member)
    return found


def example_day() -> str:
    return datetime.date.today().strftime("%d.%m.%Y")


def convert(field: Field, value, *, within: dict | None = None):
    """The value of `field` a cell holds (None for an empty cell), or Bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [] if field.kind == "many" else None
    text = value.strip() if isinstance(value, str) else value
    kind = field.kind
    if kind == "text":
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        if isinstance(text, (datetime.datetime, datetime.date)):
            return text.strftime("%d.%m.%Y")
        return str(text)
    if kind == "int":
        if isinstance(text, bool):
            raise Bad(_("Enter a whole number."))
        if isinstance(text, int) or (isinstance(text, float) and text.is_integer()):
            return int(text)
        digits = re.sub(r"[\s\u00a0\u202f]", "", str(text))
        if re.fullmatch(r"[+-]?\d{1,12}", digits):
            return int(digits)
        raise Bad(_("Enter a whole number."))
    if kind == "decimal":
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            return Decimal(str(text))
        digits = re.sub(r"[\s\u00a0\u202f]", "", str(text)).replace(",", ".")
        try:
            number = Decimal(digits)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise Bad(_("Enter a number, such as %(example)s.", example="0,5"))
        return number
    if kind == "date":
        if isinstance(text, datetime.datetime):
            return text.date()
        if isinstance(text, datetime.date):
            return text
        found = DAY.fullmatch(str(text))
        parts = (found[3], found[2], found[1]) if found else None
        found = ISO.fullmatch(str(text)) if parts is None else None
        parts = parts or ((found[1], found[2], found[3]) if found else None)
        try:
            return datetime.date(*map(int, parts)) if parts else _bad_day()
        except ValueError:
            _bad_day()
    if kind == "bool":
        word = normal(text)
        if word in YES:
            return True
        if word in NO:
            return False
        raise Bad(_("Enter yes or no."))
    if kind == "choice":
        member = choice_labels(field).get(normal(text))
        if member is None:
            raise Bad(_("Choose one of: %(choices)s.", choices="; ".join(str(m) for m in field.choices)))
        return member
    if kind == "one":
        return find(field.target, str(text), within=within)
    if kind == "many":
        names = [n.strip() for n in re.split(r"[;\n|]", str(text)) if n.strip()]
        return [find(field.target, name, within=within) for name in names]
    raise Bad(str(text))


def _bad_day():
    raise Bad(_("Enter a date such as %(example)s.", example=example_day()))


def label_column(target):
    return getattr(target, getattr(target, "__search_column__", "name"))


def find(target, name: str, *, within: dict | None = None):
    """The one record of `target` the user reads by that name: a record of another
    district is not found, like a missing one. `within` narrows it (a club of the row's
    library)."""
    narrowed = tuple(sorted((k, v) for k, v in (within or {}).items() if v is not None and hasattr(target, k)))
    cache = db.session.info.setdefault("import_found", {})  # a file names the same library a thousand times
    key = (target, fold(" ".join(name.split())), narrowed)
    if key not in cache:
        stmt = select(target).where(folded(label_column(target)) == key[1])
        for column, value in narrowed:
            stmt = stmt.where(getattr(target, column) == value)
        cache[key] = db.session.scalars(stmt.limit(2)).all()
    found = cache[key]
    if not found:
        raise Bad(_("“%(name)s” is not found.", name=name))
    if len(found) > 1:
        raise Bad(_("Several records are named “%(name)s”: tell them apart on their screen first.", name=name))
    return found[0]
