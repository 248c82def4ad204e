"""The fields of every record form, put in place of FAB's by app.views.base.with_rules:
dates and decimals written as the user's locale writes them, checkboxes that are never
required, and choices that start empty when the statistics depend on a real answer.

Whatever the user typed comes back as typed when it cannot be read, with a translated
message saying how to write it: nothing is silently changed or dropped.
"""
import datetime
from decimal import Decimal
from inspect import getmembers

from flask_appbuilder.fields import EnumField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import get_locale, gettext
from markupsafe import Markup
from sqlalchemy import inspect
from wtforms import BooleanField, DateField, DecimalField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, ValidationError
from wtforms.widgets import html_params

from app.i18n import NoSuchDay, date_hint, form_day, form_number, parse_day, parse_number, picker_format

REQUIRED = (DataRequired, InputRequired)
_EXAMPLE, _RATE = datetime.date(2019, 3, 15), Decimal("0.5")  # what the messages show


def _optional(validators):
    """The validators without "required": a field here says itself what it needs."""
    return [v for v in validators or () if not isinstance(v, REQUIRED)]


class CheckboxField(BooleanField):
    """A yes/no field. Unticked is an answer (False), so it is never required: FAB makes
    a NOT NULL column's field required, and a required checkbox cannot be saved unticked."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, _optional(validators), **kwargs)


class DateWidget:
    """A text box with FAB's date picker beside it, both in the user's pattern
    (app/static/js/widgets_i18n.js sets the picker up from the data attributes)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs["class"] = f"form-control {kwargs.get('class', '')}".strip()
        attributes = html_params(type="text", name=field.name, value=field._value(), placeholder=date_hint(),
                                 autocomplete="off", **kwargs)
        return Markup(
            f'<div class="input-group date libnet-date" {html_params(data_date_format=picker_format(), data_date_language=str(get_locale().language))}>'
            '<span class="input-group-addon" aria-hidden="true"><i class="fa fa-calendar cursor-hand"></i></span>'
            f"<input {attributes}></div>")


class DayField(DateField):
    """A day in the user's pattern (15.03.2019 in ru and bg) or as ISO 8601 (2019-03-15)."""

    widget = DateWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("widget", None)  # FAB's date picker writes ISO dates over what was typed
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return form_day(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] or ""
        self.data = None
        if text.strip():
            try:
                self.data = parse_day(text)
            except NoSuchDay:
                raise ValueError(gettext("There is no such day in the calendar.")) from None
            except ValueError:
                raise ValueError(gettext("Enter the date as %(pattern)s, for example %(example)s.",
                                         pattern=date_hint(), example=form_day(_EXAMPLE))) from None


class NumberWidget(BS3TextFieldWidget):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", "decimal")  # a phone shows its number keys
        return super().__call__(field, **kwargs)


class NumberField(DecimalField):
    """A decimal with the user's decimal sign (0,5 in ru and bg) or a point (0.5), shown
    as the lists show it. `places`: the decimals the column keeps; more is refused rather
    than rounded away."""

    widget = NumberWidget()

    def __init__(self, label=None, validators=None, places=None, **kwargs):
        kwargs.pop("widget", None)
        super().__init__(label, validators, places=None, **kwargs)
        self.scale = places

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return form_number(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] or ""
        self.data = None
        if not text.strip():
            return
        try:
            number = parse_number(text)
        except ValueError:
            raise ValueError(gettext("Enter a number, such as %(example)s.", example=form_number(_RATE))) from None
        if self.scale is not None and -number.as_tuple().exponent > self.scale:
            raise ValueError(gettext("Use at most %(places)d digits after the decimal sign.", places=self.scale))
        self.data = number


def _coerce_known(coerce, value):
    try:
        return coerce(value)
    except (KeyError, TypeError):
        raise ValueError(gettext("Not a valid choice.")) from None


class ChoiceField(EnumField):
    """FAB's EnumField, with a wrong choice reported on the field instead of a 500.

    `blank`: the field offers an empty choice. Without it the first choice shows as
    chosen, and saving the form stores it: an entry not judged yet would be judged, a new
    staff member would have higher library education. `required`: an empty choice is
    refused with a translated message (not the browser's: select2 hides the select)."""

    def __init__(self, *args, blank=False, required=False, validators=None, **kwargs):
        super().__init__(*args, validators=_optional(validators), **kwargs)
        # FAB's coerce raises KeyError for a code it does not know; wtforms turns only a
        # ValueError into the field's error (else a crafted choice is a 500).
        known = self.coerce
        self.coerce = lambda value: _coerce_known(known, value)
        self.must_choose = required
        if required:
            self.flags.required = True  # the form's asterisk
        if blank:
            coerce = self.coerce
            self.coerce = lambda value: None if value in ("", None) else coerce(value)
            self.choices = [("", "—"), *self.choices]

    def __call__(self, **kwargs):
        kwargs.setdefault("required", False)
        if self.must_choose:
            kwargs.setdefault("aria-required", "true")
        return super().__call__(**kwargs)

    def pre_validate(self, form):
        if self.data is None and self.must_choose:
            raise ValidationError(gettext("Choose a value."))
        try:
            super().pre_validate(form)
        except ValidationError:
            raise
        except ValueError as error:
            raise ValidationError(str(error)) from None


def locale_fields(form_class, model) -> dict[str, UnboundField]:
    """Our fields in place of FAB's for the columns of `model` in `form_class`."""
    columns = {column.key: column for column in inspect(model).columns}
    out = {}
    for name, field in getmembers(form_class, lambda f: isinstance(f, UnboundField)):
        column, kind = columns.get(name), field.field_class
        if kind is EnumField:
            nullable = column is None or column.nullable
            must_choose = not nullable and column.default is None and column.server_default is None
            out[name] = UnboundField(ChoiceField, *field.args, blank=nullable or must_choose,
                                     required=must_choose, **field.kwargs)
        elif kind is BooleanField:
            out[name] = UnboundField(CheckboxField, *field.args, **field.kwargs)
        elif kind is DateField:
            out[name] = UnboundField(DayField, *field.args, **field.kwargs)
        elif kind is DecimalField:
            places = column.type.scale if column is not None else None
            out[name] = UnboundField(NumberField, *field.args, places=places, **field.kwargs)
    return out
