"""No lost updates: an edit names the version of the record it started from, and one
started from an older version than the stored one is refused with the current values,
instead of silently overwriting what someone else saved meanwhile.

The version is `version` (app.tenancy.mixins.Versioned). A form carries it in a hidden
field; the API in the `version` property of a PUT. Without it, nothing is compared:
the edit simply wins, as before versions existed.
"""
import datetime
from decimal import Decimal

from flask import flash, request
from flask_babel import gettext
from sqlalchemy import inspect
from wtforms import HiddenField

from app.extensions import db
from app.i18n import format_day, format_number, format_yes_no


class Stale(Exception):
    """The record was saved by someone else since this edit began."""

    def __str__(self):
        return gettext("Someone else changed this record meanwhile. Nothing was saved; "
                       "the current values are shown.")


class VersionField(HiddenField):
    """The version a form was opened at: compared on save, never saved itself."""

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = int(raw) if raw.isdigit() else (None if raw == "" else -1)  # -1: no version matches

    def populate_obj(self, obj, name):
        pass  # the database counts versions, not the form


def shown(value) -> str:
    """A stored value as the forms show it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return format_yes_no(value)
    if isinstance(value, datetime.date):
        return format_day(value)
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


def _same(typed, stored) -> bool:
    if typed in (None, "") and stored in (None, ""):
        return True
    return typed == stored


def form_is_current(form, model) -> bool:
    """True unless the form was opened at an older version of the record than the stored
    one. Then the user's input stays in the form, each field that differs from the
    stored record shows the stored value, and the version moves on: saving again, after
    a look, replaces the record knowingly."""
    field, pk = form._fields.get("version"), request.view_args.get("pk")
    if field is None or field.data is None or not str(pk).isdigit():
        return True
    item = db.session.get(model, int(pk))
    if item is None or item.version == field.data:
        return True
    flash(gettext("Someone else changed this record while you were editing it. Your input is "
                  "kept; the fields that differ show the saved value. Save again to replace "
                  "it with yours."), "warning")
    for name, other in form._fields.items():
        if name != "version" and hasattr(item, name) and not _same(other.data, getattr(item, name)):
            other.errors = [*other.errors, gettext("Saved meanwhile: %(value)s",
                                                   value=shown(getattr(item, name)))]
    field.data = item.version
    return False


def sent_version_is_stale(item) -> bool:
    """Did an API edit name a version of `item` other than the stored one? (A PUT without
    a version names none: the stored one stays in place.)"""
    return inspect(item).attrs.version.history.has_changes()
