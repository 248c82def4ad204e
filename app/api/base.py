"""The base of every record API: the same rules as the screens, JSON answers for
every refusal, and relation fields that accept only rows the user can see."""
from flask import request
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate
from marshmallow_sqlalchemy import field_for
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy.exc import DataError, NoResultFound, SQLAlchemyError

from app.dependents import dependents_message
from app.tenancy.session import NotPermitted, OutOfScope, assert_writable
from app.validation import RecordInterface, problems
from app.versions import Stale, sent_version_is_stale


class ExistingRelated(Related):
    """A relation field that refers to an existing, visible row: an unknown id and a
    foreign one get the same answer, and neither creates a row."""

    def _deserialize(self, value, *args, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValidationError(_("Enter the id of an existing record."))
        try:
            return self._get_existing_instance(self.related_model, {self.related_keys[0].key: value})
        except (NoResultFound, ValueError, TypeError):
            raise ValidationError(_("No such record.")) from None


class Number(fields.Decimal):
    """A decimal written as a JSON number, as the OpenAPI document says (Flask would
    write a Decimal as a string)."""

    def _serialize(self, value, attr, obj, **kwargs):
        value = super()._serialize(value, attr, obj, **kwargs)
        return None if value is None else float(value)

    def make_error(self, key, **kwargs):
        if key in ("invalid", "special"):  # "NaN", "Infinity": marshmallow says so in English
            return ValidationError(_("Enter a number."))
        return super().make_error(key, **kwargs)


class Converter(Model2SchemaConverter):
    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        field.validators = [Length(max=v.max) if type(v) is validate.Length else v
                            for v in field.validators]
        if type(field) is fields.Decimal:
            number = Number(required=field.required, allow_none=field.allow_none,
                            validate=field.validators)
            number.places = field.places
            return number
        return field

    def _column2enum(self, datamodel, column):
        field = super()._column2enum(datamodel, column)
        field.allow_none = datamodel.is_nullable(column.name)  # e.g. an entry not yet judged
        return field

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        if nested:
            field = super()._column2relation(datamodel, column, nested, parent_schema_name)
            field.allow_none = datamodel.is_nullable(column.name)  # a region has no parent
            return field
        field = field_for(datamodel.obj, column.name, field_class=ExistingRelated)
        field.required = not datamodel.is_nullable(column.name)
        return field


class Length(validate.Length):
    """marshmallow's maximum length, said in the user's language."""

    def _format_error(self, value, message):
        return _("Enter at most %(max)d characters.", max=self.max)


class Refused(Exception):
    def __init__(self, status: int, messages):
        super().__init__(messages)
        self.status, self.messages = status, messages


# Every refusal answers {"message": text, or field -> messages}; a stale edit also
# {"result": the record as stored}. (FAB documents `message` as text only.)
REFUSAL = {"description": "Refused: `message` says why", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"message": {"anyOf": [{"type": "string"}, {"type": "object"}]},
                                     "result": {"type": "object"}}}}}}
REFUSALS = {"post": ("400", "403", "404", "422"), "put": ("400", "403", "404", "409", "422"),
            "delete": ("403", "404", "409", "422")}
VERSION_NOTE = ("`version` is optional. When sent and not the stored version (the record was saved "
                "meanwhile), nothing is saved and the answer is 409 with the stored record in "
                "`result`. Without it, nothing is compared.")


def _as_answered(node):
    """FAB's document types ids as strings and the _info columns as an object; they are
    integers and lists."""
    if isinstance(node, dict):
        props = node.get("properties") or {}
        if props.get("id", {}).get("type") == "string":
            props["id"]["type"] = "integer"
        if props.get("ids", {}).get("items", {}).get("type") == "string":
            props["ids"]["items"]["type"] = "integer"
        for key in ("add_columns", "edit_columns"):
            if props.get(key) == {"type": "object"}:
                props[key] = {"type": "array", "items": {"type": "object"}}
        for value in node.values():
            _as_answered(value)
    elif isinstance(node, list):
        for value in node:
            _as_answered(value)


class RecordApi(ModelRestApi):
    model = None
    allow_browser_login = True
    model2schemaconverter = Converter

    def __init__(self):
        self.datamodel = RecordInterface(self.model)
        if hasattr(self.model, "version"):  # read with every record; optional in a PUT
            self.list_columns = [*self.list_columns, "version"]
            self.show_columns = [*self.show_columns, "version"]
            self.edit_columns = [*self.edit_columns, "version"]
        super().__init__()

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        for method in (m.lower() for m in methods or ()):
            operation = operations.get(method) or {}
            responses = operation.get("responses", {})
            for code in {*REFUSALS.get(method, ()), *(c for c in responses if c in ("400", "404", "422"))}:
                responses[code] = REFUSAL
            if method == "put":
                operation["description"] = VERSION_NOTE
            _as_answered(operation)

    def _get_field_info(self, field, *args, **kwargs):
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""  # not gettext(""), which is the catalog's header
        return info

    def _check(self, item):
        if item.id is not None:
            assert_writable(self.datamodel.session, item)
        found = problems(self.model, {k: getattr(item, k, None) for k in self.add_columns
                                      if "." not in k}, item.id)
        if found:
            raise Refused(422, found)

    pre_add = _check

    def pre_update(self, item):
        if sent_version_is_stale(item):  # first: the checks' queries would flush the sent version
            raise Stale()
        self._check(item)

    def pre_delete(self, item):
        assert_writable(self.datamodel.session, item)
        message = dependents_message(self.datamodel.session, item)
        if message:
            raise Refused(409, message)

    def _answer(self, handler, *args):
        try:
            return handler(*args)
        except Refused as refusal:
            self.datamodel.session.rollback()
            return self.response(refusal.status, message=refusal.messages)
        except OutOfScope:
            self.datamodel.session.rollback()
            return self.response_404()
        except NotPermitted as refusal:
            self.datamodel.session.rollback()
            return self.response(refusal.status, message=str(refusal))  # 409: a move while referred to
        except SQLAlchemyError:
            self.datamodel.session.rollback()
            return self.response_422(message=_("The database refused the change."))

    def _read(self, handler, *args, **kwargs):
        """A number the database cannot hold (a page, a filter value) is a bad request."""
        try:
            return handler(*args, **kwargs)
        except (DataError, OverflowError):  # PostgreSQL's refusal; SQLite's driver's
            self.datamodel.session.rollback()
            return self.response_400(message=_("A number in the request is out of range."))

    def get_list_headless(self, **kwargs):
        return self._read(super().get_list_headless, **kwargs)

    def get_headless(self, pk, **kwargs):
        return self._read(super().get_headless, pk, **kwargs)

    def info_headless(self, **kwargs):
        return self._read(super().info_headless, **kwargs)

    def post_headless(self):
        return self._answer(super().post_headless)

    def put_headless(self, pk):
        if request.is_json and not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=_("Send the record as a JSON object."))
        try:
            return self._answer(super().put_headless, pk)
        except Stale as stale:  # refused before saving, or by the database's version check
            self.datamodel.session.rollback()
            item = self.datamodel.get(pk, self._base_filters)
            return self.response(409, message=str(stale), result=self.show_model_schema.dump(item))

    def delete_headless(self, pk):
        return self._answer(super().delete_headless, pk)
