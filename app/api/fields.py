"""The fields of the API's request bodies: strict (a whole number is not 1.5, "1" nor
true; a flag is true or false) and refused in the user's language."""
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate


class Said:
    """A marshmallow field whose refusals are said in the user's language (marshmallow
    says them in English)."""

    said: dict = {}

    def __init__(self, *args, said: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.said = {**type(self).said, **(said or {})}

    def make_error(self, key, **kwargs):
        message = self.said.get(key) or FIELD_MESSAGES.get(key)
        return ValidationError(str(message)) if message else super().make_error(key, **kwargs)


FIELD_MESSAGES = {"required": _l("This field is required."), "null": _l("This field cannot be empty.")}


class Text(Said, fields.String):
    """Text, written as a JSON string: not a number, not true."""

    said = {"invalid": _l("Enter a text."), "invalid_utf8": _l("Enter a text.")}


class Flag(Said, fields.Boolean):
    """true or false, nothing that merely reads like one ("yes", 1, "on")."""

    said = {"invalid": _l("Enter true or false.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):  # 1 == True in Python: marshmallow would take it
            raise self.make_error("invalid")
        return value


class Filled(validate.Validator):
    """Text that is not empty nor only spaces, and holds no NUL (no database stores one)."""

    def __call__(self, value):
        if not value.strip():
            raise ValidationError(_("This field cannot be empty."))
        if "\x00" in value:
            raise ValidationError(_("Remove the control characters from this text."))
        return value


class StrictSchema(Schema):
    """A request body: a field it does not know is refused, not ignored."""

    error_messages = {"unknown": _l("Unknown field."),
                      "type": _l("Send a JSON object.")}

    def handle_error(self, error, data, **kwargs):
        error.messages = field_errors(error.messages)  # every message a text of its own
        raise error


def field_errors(messages, prefix="") -> dict[str, list[str]]:
    """marshmallow's messages as the API answers them: field -> list of texts, a nested
    field's path joined with dots ("roles.0")."""
    out = {}
    if not isinstance(messages, dict):
        messages = {"_schema": messages}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(field_errors(value, f"{name}."))
        else:
            out[name] = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    return out


class Whole(Said, fields.Integer):
    """A whole number written as one: not 1.5, not "1", not true."""

    said = {"invalid": _l("Enter a whole number.")}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)
