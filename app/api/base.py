"""The base of every record API: the same rules as the screens, JSON answers for
every refusal, and relation fields that accept only rows the user can see."""
import re

from flask import request
from apispec.ext.marshmallow.field_converter import DEFAULT_FIELD_MAPPING
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError, fields, validate
from marshmallow_sqlalchemy import field_for
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy.exc import DataError, NoResultFound, SQLAlchemyError

from app.api.query import BadQuery, FilterConverter, ListQuery
from app.api.answers import speak_as_screen
from app.api.imports import IMPORT_ANSWER, ImportingApi
from app.dependents import dependents_message
from app.api.fields import Flag, Whole
from app.tenancy.session import NotPermitted, OutOfScope, assert_writable
from app.validation import MAX_INT, RecordInterface, bounds, problems
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


# In a request body a relation is the id of the row it refers to (answers show {id, name}).
DEFAULT_FIELD_MAPPING[ExistingRelated] = ("integer", None)


class Number(fields.Decimal):
    """A decimal written as a JSON number, as the OpenAPI document says (Flask would
    write a Decimal as a string)."""

    def _serialize(self, value, attr, obj, **kwargs):
        value = super()._serialize(value, attr, obj, **kwargs)
        return None if value is None else float(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (bool, str)):  # 1.5, not "1.5" nor true
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)

    def make_error(self, key, **kwargs):
        if key in ("invalid", "special"):  # "NaN", "Infinity": marshmallow says so in English
            return ValidationError(_("Enter a number."))
        return super().make_error(key, **kwargs)


class Between(validate.Range):
    """A field's bounds (app.validation.bounds), said in the user's language."""

    def _format_error(self, value, message):
        return _("Enter a number from %(low)d to %(high)d.", low=self.min, high=self.max)


STRICT = {fields.Integer: Whole, fields.Boolean: Flag}


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
        if type(field) in STRICT:
            limits = bounds(column.name) or (-MAX_INT, MAX_INT)  # what an INTEGER column holds
            if type(field) is fields.Integer:
                field.validators.append(Between(*limits))
            strict = STRICT[type(field)](required=field.required, allow_none=field.allow_none,
                                         validate=field.validators)
            strict.unique = getattr(field, "unique", False)
            return strict
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
        if datamodel.is_relation_many_to_many(column.name):  # a list of ids; none is an empty list
            field.required = field.allow_none = False
            return field
        field.required = not datamodel.is_nullable(column.name)
        field.allow_none = datamodel.is_nullable(column.name)
        return field


class OneOf(validate.OneOf):
    """One of a fixed list of codes (the document lists them), said in the user's language."""

    def __init__(self, choices):
        super().__init__(list(choices))

    def _format_error(self, value):
        return _("Choose one of: %(choices)s.", choices=", ".join(self.choices))


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
VERSION_NOTE = _l("Send the version this edit starts from: `version` in the body, or the record's "
                  "`ETag` in an `If-Match` header (`If-Match: *` replaces whatever is stored). "
                  "Without either, nothing is saved and the answer is 428. With an older one (the "
                  "record was saved meanwhile), nothing is saved and the answer is 409 with the "
                  "stored record in `result`.")
DELETE_NOTE = _l("With an `If-Match` header, the record is deleted only at that version; "
                 "otherwise the answer is 409 with the stored record in `result`.")
ETAG_HEADER = {"ETag": {"description": "The record's version, to send back in `If-Match`",
                        "schema": {"type": "string"}}}
IF_MATCH = re.compile(r'\s*(?:W/)?"?(\d{1,18})"?\s*')


def etag(item) -> str:
    return f'"{item.version}"'


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


class RecordApi(ImportingApi, ModelRestApi):
    model = None
    allow_browser_login = True
    model2schemaconverter = Converter

    def __init__(self):
        from app.imports.views import without_imports

        without_imports(self, {"import_file", "import_template"})
        self.datamodel = RecordInterface(self.model)
        self.datamodel.filter_converter_class = FilterConverter  # >=, <=; app.api.query
        if hasattr(self.model, "version"):  # read with every record; optional in a PUT
            self.list_columns = [*self.list_columns, "version"]
            self.show_columns = [*self.show_columns, "version"]
            self.edit_columns = [*self.edit_columns, "version"]
        speak_as_screen(self)  # its labels and titles are its screen's, in the user's language
        super().__init__()
        self.list_query = ListQuery(self)  # page, order_by, filters as plain parameters

    def _init_model_schemas(self):
        super()._init_model_schemas()
        columns = self.model.__table__.columns
        for name, field in self.add_model_schema.fields.items():
            column = columns.get(name)
            if column is not None and (column.default is not None or column.server_default is not None):
                field.required = False  # left out, it takes its default: a new event is planned
        for field in self.edit_model_schema.fields.values():
            field.required = False  # a PUT changes what it sends; the rest stays as stored

    def add_apispec_components(self, api_spec):
        """Every answer holds every column of its record (null where empty): the
        document says so, and a generated client's fields are not optional."""
        super().add_apispec_components(api_spec)
        if "ImportOutcome" not in api_spec.components.schemas:
            api_spec.components.schema("ImportOutcome", IMPORT_ANSWER)
        many = {name for name, field in self.show_model_schema.fields.items() if getattr(field, "many", False)}
        for name, schema in api_spec.components.schemas.items():
            if name.startswith((self.show_model_schema_name, self.list_model_schema_name)):
                schema["required"] = sorted(schema.get("properties", {}))
                for key in many & set(schema.get("properties", {})):  # a to-many relation: a list of {id, name}
                    found = schema["properties"][key]
                    if found.get("type") != "array":
                        schema["properties"][key] = {"type": "array", "items": found}

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        for method in (m.lower() for m in methods or ()):
            operation = operations.get(method) or {}
            responses = operation.get("responses", {})
            for code in {*REFUSALS.get(method, ()), *(c for c in responses if c in ("400", "404", "422"))}:
                responses[code] = REFUSAL
            own = func is not None and func.__name__ not in ("put", "delete")  # a function that says itself
            if method == "put":
                operation["description"] = operation.get("description") if own else str(VERSION_NOTE)
                responses["428"] = REFUSAL
            if method == "delete" and not own:
                operation["description"] = str(DELETE_NOTE)
            if method == "get" and func is not None and func.__name__ == "get_list":
                self.list_query.document(operation)
            if func is not None and func.__name__ not in ("get", "get_list", "post", "put", "delete", "info"):
                pass  # a function of its own (an import, a record's file) answers as its docstring says
            elif method in ("put", "post") or (method == "get" and "{pk}" in (path or "")):
                for code, answer in responses.items():
                    if str(code) in ("200", "201"):  # FAB's YAML has integer keys
                        answer.setdefault("headers", {}).update(ETAG_HEADER)
                        if method in ("put", "post"):  # answered as GET shows the record
                            answer["content"] = {"application/json": {"schema": {
                                "type": "object", "required": ["id", "result"], "properties": {
                                    "id": {"type": "integer"},
                                    "result": {"$ref": f"#/components/schemas/{self.show_model_schema_name}"},
                                }}}}
            _as_answered(operation)

    def _get_field_info(self, field, *args, **kwargs):
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""  # not gettext(""), which is the catalog's header
        return info

    def _check(self, item):
        if item.id is not None:
            assert_writable(self.datamodel.session, item)
        # The checks' queries must not flush the edit they check: a value the database's own
        # CHECK refuses (a population of 0) would answer "the database refused" instead.
        with self.datamodel.session.no_autoflush:
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
        try:
            kwargs["rison"] = self.list_query.merge(request.args, kwargs.get("rison") or {})
        except BadQuery as bad:
            return self.response(400, message=bad.message, errors=bad.errors)
        return self._read(super().get_list_headless, **kwargs)

    def get_headless(self, pk, **kwargs):
        response = self._read(super().get_headless, pk, **kwargs)
        version = (response.get_json(silent=True) or {}).get("result", {}).get("version")
        if response.status_code == 200 and version is not None:
            response.headers["ETag"] = f'"{version}"'
        return response

    def info_headless(self, **kwargs):
        return self._read(super().info_headless, **kwargs)

    def _record(self, status: int, item, **extra):
        """A record as GET shows it (relations as {id, name}), with its version as ETag."""
        response = self.response(status, id=item.id, result=self.show_model_schema.dump(item), **extra)
        if hasattr(item, "version"):
            response.headers["ETag"] = etag(item)
        return response

    def post_headless(self):
        return self._answer(self._add)

    def _add(self):
        if not request.is_json:
            return self.response_400(message=_("Send the record as a JSON object."))
        try:
            item = self.add_model_schema.load(request.json)
        except ValidationError as err:
            return self.response_422(message=err.messages)
        self.pre_add(item)
        self.datamodel.add(item)
        self.post_add(item)
        return self._record(201, item)

    def _sent_version(self, body: dict, item):
        """(version, None) as the edit names it, by `version` or If-Match (`*`: the stored
        one); (None, answer) when If-Match is not an ETag. Named twice over differently,
        one of them is not the stored version: the edit is stale."""
        header, sent = request.headers.get("If-Match", "").strip() or None, body.get("version")
        if header is None:  # an empty If-Match names no version either
            return sent, None
        found = IF_MATCH.fullmatch(header)
        if header == "*":
            value = item.version
        elif found:
            value = int(found.group(1))
        else:
            return None, self.response_400(message=_("If-Match holds the record's ETag, such as \"3\"."))
        if type(sent) is int and sent != value:  # a sent value of another type: the schema's 422
            raise Stale()
        return value, None

    def put_headless(self, pk):
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            return self.response_400(message=_("Send the record as a JSON object."))
        try:
            return self._answer(self._put, pk, body)
        except Stale as stale:  # refused before saving, or by the database's version check
            return self._stale(pk, stale)

    def _put(self, pk, body):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        assert_writable(self.datamodel.session, item)  # a record one may only read: 403 first
        if not hasattr(item, "version"):
            return self._edit(item, body)
        version, refusal = self._sent_version(body, item)
        if refusal is not None:
            return refusal
        if version is None:
            return self.response(428, message=_(
                "Say which version of the record you edited: send its `version`, or its ETag in "
                "If-Match. Nothing was saved."))
        return self._edit(item, {**body, "version": version})

    def _stale(self, pk, stale):
        self.datamodel.session.rollback()
        item = self.datamodel.get(pk, self._base_filters)
        return self._record(409, item, message=str(stale))

    def _edit(self, item, body):
        try:
            data = self._merge_update_item(item, body)
            item = self.edit_model_schema.load(data, instance=item)
        except ValidationError as err:
            return self.response_422(message=err.messages)
        self.pre_update(item)
        self.datamodel.edit(item)
        self.post_update(item)
        return self._record(200, item)

    def delete_headless(self, pk):
        header = request.headers.get("If-Match", "").strip() or None
        if header is not None and header != "*":
            item = self.datamodel.get(pk, self._base_filters)
            found = IF_MATCH.fullmatch(header)
            if item is not None and hasattr(item, "version"):
                if not found:
                    return self.response_400(message=_("If-Match holds the record's ETag, such as \"3\"."))
                if int(found.group(1)) != item.version:
                    return self._record(409, item, message=str(Stale()))
        return self._answer(super().delete_headless, pk)

