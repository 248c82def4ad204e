"""The OpenAPI document of the REST API (/api/v1/_openapi), as each caller may use it.

FAB builds the document from every API's docstrings and schemas, for every operation of
every API. Here it lists only the operations the signed-in caller's roles may call (login
and refresh for everyone), and a pass over the whole document then makes it say what the
API answers:

- one `Error` schema, and one response per error status that refers to it; each operation
  lists the errors it can answer (401 and 403 where a permission is needed, 404 where the
  path names a record, 400 where it reads a body or parameters, 429 at the login), no 5xx;
- every id an integer, a path id included: the APIs' routes take ids as integers (FAB's PUT
  and DELETE took any text), so a path id that is not one is a 404;
- the headers answers carry: the language of every answer, a record's ETag, and
  `WWW-Authenticate` on a 401;
- the answers' own shapes where FAB documents a placeholder (`_info`, label maps, counts).

FAB's own `q` (Rison), which its front end sends, is read as before but left out: the
plain parameters say the same to a client, and `q`'s schema cannot say which of its
values a list takes.

An OPTIONS answer's `Allow` lists, like the document, the methods the caller may call.
"""
import re

from flask import current_app, g, request
from flask_appbuilder.api import BaseApi, ModelRestApi, expose, protect, safe
from flask_appbuilder.api.manager import OpenApi as FabOpenApi, SwaggerView
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_appbuilder.security.api import SecurityApi
from flask_babel import gettext as _, lazy_gettext as _l
from flask_jwt_extended import decode_token
from marshmallow_sqlalchemy.fields import Related
from werkzeug.exceptions import HTTPException

from app.api.base import IF_MATCH as ETAG_SENT
from app.security.limits import GUESSES  # the functions the login limits count guesses on
from app.validation import MAX_INT

REF = "#/components/"
ID_ARGUMENT = re.compile(r"pk|\w+_id")
ID_IN_RULE = re.compile(r"<(?:default:|string:)?(pk|\w+_id)>")  # an id taken as any text
PATH_ARGUMENT = re.compile(r"{(\w+)}")
# What FAB's functions do, for operation ids a generated client names its functions after.
ACTIONS = {"get_list": "list", "get": "get", "post": "create", "put": "update",
           "delete": "delete", "info": "info"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

ERROR = {
    "type": "object",
    "description": _l(
        "Every refusal. `message` says what went wrong, in one sentence in the language of "
        "the answer. `errors` is there only when fields are at fault: each field (a nested "
        "one as a dotted path, such as `nominations.0`) with what is wrong with it. `result` "
        "is there only on a 409 for an edit that started from an older version: the record "
        "as it is stored now."),
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "result": {"type": "object", "additionalProperties": True},
        # A statistical report's step that its figures stop (app/api/stat_reports.py): each
        # indicator by its code, with what is wrong.
        "problems": {"type": "array", "items": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "additionalProperties": False,
}

# Status -> (component name, description); every one answers an Error.
ERRORS = {
    "400": ("BadRequest", _l("The request cannot be read: a parameter, header or body that is "
                             "malformed or that no column could hold. Nothing changed.")),
    "401": ("Unauthorized", _l("Not signed in: no bearer token, or one that is malformed, expired "
                               "or revoked.")),
    "403": ("Forbidden", _l("The caller's role may not do this.")),
    "404": ("NotFound", _l("No such record, or not one the caller may see: the answer is the same.")),
    "409": ("Conflict", _l("The record was saved meanwhile (`result` holds it as stored now, and "
                           "`ETag` its version), or other records still refer to it. Nothing changed.")),
    "413": ("PayloadTooLarge", _l("The request body is larger than the service takes.")),
    "422": ("UnprocessableEntity", _l("The record as sent breaks a rule; `errors` says which field "
                                      "and why. Nothing changed.")),
    "428": ("PreconditionRequired", _l("The edit does not say which version of the record it started "
                                       "from (`version` in the body, or `If-Match`). Nothing changed.")),
    "429": ("TooManyRequests", _l("Too many failed sign-ins from this address or for this account: "
                                  "wait as long as `Retry-After` says.")),
}
SIGN_IN_FAILED = ("SignInFailed", _l("Wrong user name or password, or an account that may not sign in."))

WWW_AUTHENTICATE = {"description": _l("How to authenticate: with a bearer token."), "required": True,
                    "schema": {"type": "string", "pattern": "^Bearer"}}
RETRY_AFTER = {"description": _l("Seconds to wait before the next try."),
               "schema": {"type": "integer", "minimum": 0}}
ETAG = {"description": _l("The record's version, as an entity tag: send it back in `If-Match`."),
        "required": True, "schema": {"type": "string"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": _l("The `ETag` of the version this request starts from (`*`: any).")}

COLUMN_INFO = {
    "type": "object",
    "required": ["name", "label", "description", "type", "required", "unique"],
    "properties": {
        "name": {"type": "string"},
        "label": {"type": "string", "description": _l("In the language of the answer")},
        "description": {"type": "string"},
        "type": {"type": "string", "description": _l("The kind of field (String, Whole, Enum...)")},
        "required": {"type": "boolean"},
        "unique": {"type": "boolean"},
        "validate": {"type": "array", "items": {"type": "string"}},
        "count": {"type": "integer", "description": _l("A relation: how many records it may refer to")},
        "values": {"type": "array", "description": _l("A relation: the records it may refer to"),
                   "items": {"type": "object", "required": ["id", "value"],
                             "properties": {"id": {"type": "integer"}, "value": {"type": "string"}}}},
    },
}
INFO = {
    "type": "object",
    "description": _l("What a client needs to build the forms of this record type."),
    "properties": {
        "add_columns": {"type": "array", "items": {"$ref": REF + "schemas/ColumnInfo"}},
        "edit_columns": {"type": "array", "items": {"$ref": REF + "schemas/ColumnInfo"}},
        "add_title": {"type": "string"},
        "edit_title": {"type": "string"},
        "filters": {"type": "object", "description": _l("Column -> the filters it takes"),
                    "additionalProperties": {"type": "array", "items": {
                        "type": "object", "required": ["name", "operator"],
                        "properties": {"name": {"type": "string"}, "operator": {"type": "string"}}}}},
        "permissions": {"type": "array", "items": {"type": "string"}},
    },
}
DOCUMENT = {"type": "object", "required": ["openapi", "info", "paths"],
            "properties": {"openapi": {"type": "string"}, "info": {"type": "object"},
                           "paths": {"type": "object"}, "components": {"type": "object"},
                           "servers": {"type": "array", "items": {"type": "object"}}}}


def register(appbuilder) -> None:
    """This document instead of FAB's (FAB_ADD_OPENAPI_VIEWS is off), and FAB's page that
    shows it. After every API: their routes are what the document describes."""
    appbuilder.add_api(OpenApi)
    if current_app.config.get("FAB_API_SWAGGER_UI"):
        appbuilder.add_view_no_menu(SwaggerView)
    integer_ids(current_app)
    current_app.after_request(_allowed_to_caller)


def integer_ids(app) -> None:
    """FAB routes GET /<int:pk> but PUT and DELETE /<pk>: GET /club/abc answered 405, and
    PUT /club/_info looked for a record "_info". An API rule that takes an id as any text
    takes an integer instead (rules cannot be changed in place: the map is built anew)."""
    old = app.url_map
    if not any(rule.rule.startswith("/api/") and ID_IN_RULE.search(rule.rule) for rule in old.iter_rules()):
        return
    new = app.url_map_class(
        default_subdomain=old.default_subdomain, strict_slashes=old.strict_slashes,
        merge_slashes=old.merge_slashes, redirect_defaults=old.redirect_defaults,
        sort_parameters=old.sort_parameters, sort_key=old.sort_key, host_matching=old.host_matching)
    new.converters = dict(old.converters)
    for rule in old.iter_rules():
        text = ID_IN_RULE.sub(r"<int:\1>", rule.rule) if rule.rule.startswith("/api/") else rule.rule
        copy = app.url_rule_class(text, **rule.get_empty_kwargs())
        copy.provide_automatic_options = getattr(rule, "provide_automatic_options", False)  # Flask's
        new.add(copy)
    app.url_map = new


def _allowed_to_caller(response):
    """`Allow` (on OPTIONS, and on a 405) lists the methods the signed-in caller may call
    here, as the caller's document does. To someone not signed in (or whose token has
    expired) every method is as open as any other: each answers 401."""
    allow = response.headers.get("Allow")
    if not allow or not request.path.startswith("/api/"):
        return response
    user = _caller()
    if user is None:
        return response
    adapter = current_app.url_map.bind_to_environ(request.environ)
    apis = {view.endpoint: view for view in current_app.appbuilder.baseviews if isinstance(view, BaseApi)}
    kept = []
    for method in (m.strip().upper() for m in allow.split(",")):
        if method in ("HEAD", "OPTIONS"):
            kept.append(method)
            continue
        try:
            endpoint = adapter.match(method=method)[0]
        except HTTPException:
            continue
        blueprint, _, name = endpoint.rpartition(".")
        if blueprint not in apis or may_call(apis[blueprint], name, user):
            kept.append(method)
    if "GET" not in kept and "HEAD" in kept:
        kept.remove("HEAD")
    response.headers["Allow"] = ", ".join(kept)
    return response


class OpenApi(FabOpenApi):
    """Registered instead of FAB's (FAB_ADD_OPENAPI_VIEWS is off), under the same name:
    reading the document is the same permission (OpenApi.can_get)."""

    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """This document, with the operations the caller may call
        ---
        get:
          description: >-
            The OpenAPI document of this version of the API, listing the operations the
            signed-in caller may call.
          responses:
            200:
              description: The OpenAPI document
              content:
                application/json:
                  schema:
                    type: object
        """
        apis = [view for view in current_app.appbuilder.baseviews
                if isinstance(view, BaseApi) and view.version == version]
        if not apis:
            return self.response_404()
        spec = self._create_api_spec(version)
        origins = {}
        for api in apis:
            add_permitted(api, spec, origins)
        return self.response(200, **finish(spec.to_dict(), origins, version))

    @staticmethod
    def _create_api_spec(version):
        spec = FabOpenApi._create_api_spec(version)
        if "FAB_OPENAPI_SERVERS" not in current_app.config:
            # The paths start with /api/: the server is the site's root, without its slash.
            spec.options["servers"] = [{"url": request.url_root.rstrip("/")}]
        spec.options["info"] = {"description": _(
            "The REST API of %(name)s. This document lists the operations the caller may call; "
            "every refusal answers an `Error`.", name=current_app.appbuilder.app_name)}
        return spec


def may_call(api: BaseApi, name: str, user=None) -> bool:
    """May the signed-in user (or `user`) call this function of this API? As FAB's
    @protect decides; a function without a permission (login, refresh) anyone may."""
    permission = api.get_method_permission(name)
    if permission is None:
        return True
    permission, sm = PERMISSION_PREFIX + permission, current_app.appbuilder.sm
    if permission not in api.base_permissions:
        return False
    if user is None:
        return sm.has_access(permission, api.class_permission_name)
    return sm._has_view_access(user, permission, api.class_permission_name)


def _caller():
    """The signed-in user, also on OPTIONS, where flask_jwt_extended reads no token (a
    browser's preflight sends none)."""
    if getattr(g.get("user"), "is_authenticated", False):
        return g.user
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = decode_token(token.strip())
    except Exception:  # not a token of ours, or an expired one: nobody
        return None
    if claims.get("type") != "access":
        return None
    before = g.get("user")
    try:  # the security manager's lookup: the session epoch is checked there too
        return current_app.appbuilder.sm.load_user_jwt(None, claims)
    finally:
        g.user = before


def add_permitted(api: BaseApi, spec, origins: dict) -> None:
    """FAB's BaseApi.add_api_spec, for the functions the caller may call. `origins`
    gets (path, method) -> (api, function name): what the later pass needs to know."""
    names = [name for name in dir(api) if _exposed(api, name) and may_call(api, name)]
    if not names:
        return
    api.add_apispec_components(spec)
    if isinstance(api, ModelRestApi):
        for schema, body in ((api.add_model_schema, api.add_model_schema_name),
                             (api.edit_model_schema, api.edit_model_schema_name)):
            _bounded(schema, spec.components.schemas.get(body))
    for name in names:
        func = getattr(api, name)
        for url, methods in func._urls:
            operations = {}
            path = api.path_helper(path=url, operations=operations)
            api.operation_helper(path=path, operations=operations, methods=methods, func=func)
            for method, operation in operations.items():
                operation["tags"] = [api.openapi_spec_tag or type(api).__name__]
                # FAB's docstrings give statuses as numbers, the APIs' own additions as text.
                operation["responses"] = {str(k): v for k, v in operation.get("responses", {}).items()}
                origins[path, method] = (api, name)
                _as_the_api_answers(api, name, method, operation)
            spec.path(path=path, operations=operations)


def _bounded(schema, documented) -> None:
    """Whole numbers a record takes, bounded as its columns are: a relation is the id of
    a row (1 and up), any other number fits an INTEGER column."""
    if not documented:
        return
    for name, field in schema.fields.items():
        found = documented.get("properties", {}).get(field.data_key or name)
        if found is not None and found.get("type") == "array" and isinstance(getattr(field, "inner", None), Related):
            found = found.get("items")  # the ids of a to-many relation
            field = field.inner
        if found is not None and found.get("type") == "integer":
            found.setdefault("minimum", 1 if isinstance(field, Related) else -MAX_INT - 1)
            found.setdefault("maximum", MAX_INT)


def _exposed(api: BaseApi, name: str) -> bool:
    if api.include_route_methods is not None and name not in api.include_route_methods:
        return False
    return name not in api.exclude_route_methods and hasattr(getattr(api, name, None), "_urls")


def _as_the_api_answers(api, name: str, method: str, operation: dict) -> None:
    """What only the API itself tells: the answers that carry a record's version."""
    model = getattr(getattr(api, "datamodel", None), "obj", None)
    if not (isinstance(api, ModelRestApi) and hasattr(model, "version")):
        return
    responses = operation["responses"]
    for code in {"get": ("200",), "post": ("201",), "put": ("200",)}.get(name, ()):
        if code in responses:
            responses[code].setdefault("headers", {})["ETag"] = {"$ref": REF + "headers/ETag"}
    if name in ("put", "delete"):
        parameters = operation.setdefault("parameters", [])
        found = next((p for p in parameters if p.get("name", "").lower() == "if-match"), None)
        if found is None:
            found = _resolved(IF_MATCH)
            parameters.append(found)
        # What the API reads (app.api.base): an entity tag of digits, or *.
        found["schema"] = {"type": "string", "pattern": rf"^(?:{ETAG_SENT.pattern}|\s*\*\s*)$"}
        responses.setdefault("409", {})
    if name == "put":
        responses.setdefault("428", {})


# -- the pass over the whole document -------------------------------------------------


# The texts FAB's and our docstrings write in English, as the document says them in the
# request's language (the YAML of a docstring cannot call gettext).
SAID = {
    "Import a spreadsheet of these records": _l("Import a spreadsheet of these records"),
    "The file (XLSX, or CSV with ; or , in UTF-8 or Windows-1251) as the multipart field `file`. Rows are "
    "matched to records by their natural key and added or changed in one transaction. With `dry_run=true` "
    "(the default) nothing is written: the answer is the preview. With `dry_run=false` the rows are written "
    "unless one is refused (`valid_only=true` writes the valid ones). `batch` names what was written, for "
    "its undoing.": _l(
        "The file (XLSX, or CSV with ; or , in UTF-8 or Windows-1251) as the multipart field `file`. Rows are "
        "matched to records by their natural key and added or changed in one transaction. With `dry_run=true` "
        "(the default) nothing is written: the answer is the preview. With `dry_run=false` the rows are "
        "written unless one is refused (`valid_only=true` writes the valid ones). `batch` names what was "
        "written, for its undoing."),
    "What the file adds, changes and leaves, and each refused cell": _l(
        "What the file adds, changes and leaves, and each refused cell"),
    "The spreadsheet to fill, in the caller's language": _l("The spreadsheet to fill, in the caller's language"),
    "An XLSX workbook": _l("An XLSX workbook"),
    "Get a list of models": _l("A page of records."),
    "Get an item model": _l("One record."),
    "Get metadata information about this API resource": _l("What the add and edit forms hold: fields, labels, choices."),
    "Model schema": _l("The record's fields."),
    "Item from Model": _l("The record."),
    "Items from Model": _l("The records."),
    "Item inserted": _l("Added: the record as stored."),
    "Item changed": _l("Changed: the record as stored now."),
    "Item deleted": _l("Deleted."),
    "The item id": _l("The record's id."),
    "The total record count on the backend": _l("How many records match, on all pages."),
    "A list of item ids, useful when you don't know the column id": _l("The ids of the records on this page."),
    "A list of allowed columns to sort": _l("The columns the list can be sorted by."),
    "The result from the get list query": _l("The records on this page."),
    "A list of columns": _l("The columns shown."),
    "A title to render. Will be translated by babel": _l("The title, in the answer's language."),
    "The label for the column name. Will be translated by babel": _l("The label of each column, in the answer's language."),
    "The description for the column name. Will be translated by babel": _l("The description of each column, in the answer's language."),
    "The OpenAPI document": _l("The OpenAPI document"),
    "Sign in": _l("Sign in"),
    "Signed in": _l("Signed in"),
    "The user name or e-mail address": _l("The user name or e-mail address"),
    "The only provider is the service's own accounts": _l("The only provider is the service's own accounts"),
    "Also issue a refresh token (POST /api/v1/security/refresh)": _l("Also issue a refresh token (POST /api/v1/security/refresh)"),
    "Send it as `Authorization: Bearer <token>`": _l("Send it as `Authorization: Bearer <token>`"),
    "Only when `refresh` was true": _l("Only when `refresh` was true"),
    "Refresh the access token": _l("Refresh the access token"),
    "A new access token": _l("A new access token"),
    "Checks the user name (or e-mail address; case does not matter) and password. Failed attempts are "
    "limited per account and per client address (LOGIN_RATE_LIMIT, by default 10 a minute): the next one "
    "answers 429, even with the right password. A password change ends every token issued before it.":
        _l("Checks the user name (or e-mail address; case does not matter) and password. Failed attempts "
           "are limited per account and per client address (LOGIN_RATE_LIMIT, by default 10 a minute): "
           "the next one answers 429, even with the right password. A password change ends every token "
           "issued before it."),
    "Send the refresh token of a login with `refresh: true` as `Authorization: Bearer <refresh token>`. "
    "A token issued before the user's password changed, or of a disabled account, is refused.":
        _l("Send the refresh token of a login with `refresh: true` as `Authorization: Bearer <refresh "
           "token>`. A token issued before the user's password changed, or of a disabled account, is refused."),
    # a record's file (app/api/attachments.py)
    "Download the record's file": _l("Download the record's file"),
    "The file as it was attached, with its name in Content-Disposition and the type its content showed. "
    "404 when the record has no file.":
        _l("The file as it was attached, with its name in Content-Disposition and the type its content "
           "showed. 404 when the record has no file."),
    "The file": _l("The file"),
    "Attach a file to the record, in place of any it has": _l("Attach a file to the record, in place of any it has"),
    "Send the file as multipart/form-data in a part named `file`, and the version this change starts from "
    "in a part named `version` or in If-Match. Accepted: PDF, DOCX, XLSX, PPTX, ODT, ODS (without macros or "
    "a password), JPEG, PNG, told by their content; at most ATTACHMENT_MAX_BYTES. A refused file answers "
    "422 and changes nothing.":
        _l("Send the file as multipart/form-data in a part named `file`, and the version this change starts "
           "from in a part named `version` or in If-Match. Accepted: PDF, DOCX, XLSX, PPTX, ODT, ODS (without "
           "macros or a password), JPEG, PNG, told by their content; at most ATTACHMENT_MAX_BYTES. A refused "
           "file answers 422 and changes nothing."),
    "Remove the record's file": _l("Remove the record's file"),
    "The record stays, without its file. With an If-Match header, only at that version. 404 when the "
    "record has no file.":
        _l("The record stays, without its file. With an If-Match header, only at that version. 404 when "
           "the record has no file."),
    # the accounts API (app/security/users.py)
    '400 when the body is not a JSON object; 422 when fields are at fault (each named in `errors`: a wrong type, a field this API does not take, a name or e-mail address taken whatever its case, a weak password, a role, organisation or library that does not exist) or the database refused the account.': _l('400 when the body is not a JSON object; 422 when fields are at fault (each named in `errors`: a wrong type, a field this API does not take, a name or e-mail address taken whatever its case, a weak password, a role, organisation or library that does not exist) or the database refused the account.'),
    'A disabled account cannot sign in': _l('A disabled account cannot sign in'),
    'As stored: Admin, Director, ...': _l('As stored: Admin, Director, ...'),
    'At least 10 characters, not the user name, not a common password': _l('At least 10 characters, not the user name, not a common password'),
    'Change an account': _l('Change an account'),
    "Changes the fields sent; the others stay as stored. Accounts have no version: the change is not compared with one saved meanwhile. A new password ends the account's sessions and tokens. 400 when the body is not a JSON object; 422 when fields are at fault (named in `errors`) or the database refused the change.": _l("Changes the fields sent; the others stay as stored. Accounts have no version: the change is not compared with one saved meanwhile. A new password ends the account's sessions and tokens. 400 when the body is not a JSON object; 422 when fields are at fault (named in `errors`) or the database refused the change."),
    'Create an account': _l('Create an account'),
    'First name': _l('First name'),
    'Id of the library of a Branch staff account (and only of one)': _l('Id of the library of a Branch staff account (and only of one)'),
    "Id of the region or district the account works for; with a library, that library's. Every role but Admin needs one": _l("Id of the region or district the account works for; with a library, that library's. Every role but Admin needs one"),
    'Ids of the roles (at least one): GET _info lists them': _l('Ids of the roles (at least one): GET _info lists them'),
    'Last name': _l('Last name'),
    'The account, as GET shows it': _l('The account, as GET shows it'),
    'Unique whatever its case': _l('Unique whatever its case'),
}


def _said(node) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str) and value in SAID:
                node[key] = str(SAID[value])
            else:
                _said(value)
    elif isinstance(node, list):
        for value in node:
            _said(value)


def finish(document: dict, origins: dict, version: str) -> dict:
    components = document.setdefault("components", {})
    languages = sorted(current_app.config["LANGUAGES"])
    components["headers"] = {
        "ContentLanguage": {"description": _("The language of the answer's texts."), "required": True,
                            "schema": {"type": "string", "enum": languages}},
        **_resolved({"ETag": ETAG, "WWW-Authenticate": WWW_AUTHENTICATE, "Retry-After": RETRY_AFTER}),
    }
    components["responses"] = _error_responses()
    schemas = components.setdefault("schemas", {})
    schemas.update(_resolved({"Error": ERROR, "ColumnInfo": COLUMN_INFO, "Info": INFO}))
    schemes = components.get("securitySchemes", {})
    if not current_app.config.get("FAB_API_KEY_ENABLED", False):
        schemes.pop("api_key", None)  # FAB documents API keys, which this service does not take

    paths, placed = {}, {}
    for path, operations in document.get("paths", {}).items():
        concrete = path.replace("{version}", version)  # this document is of one version
        for method, operation in operations.items():
            if method in METHODS:
                placed[concrete, method] = origins.get((path, method), (None, None))
                _operation(operation, concrete, method, placed[concrete, method], schemes)
        paths[concrete] = operations
    document["paths"] = paths
    _operation_ids(paths, placed)
    _links(paths)
    _types(document)
    _drop_unused(document)
    _said(document)
    return document


def _resolved(node):
    """A copy of a part of the document, its texts in the request's language."""
    if isinstance(node, dict):
        return {key: _resolved(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(value) for value in node]
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    return str(node)  # a lazy text


def _error_responses() -> dict:
    def answer(description, **headers):
        headers = {"Content-Language": {"$ref": REF + "headers/ContentLanguage"}, **headers}
        return {"description": str(description), "headers": headers,
                "content": {"application/json": {"schema": {"$ref": REF + "schemas/Error"}}}}

    responses = {name: answer(text) for name, text in ERRORS.values()}
    responses["Unauthorized"]["headers"]["WWW-Authenticate"] = {"$ref": REF + "headers/WWW-Authenticate"}
    responses["TooManyRequests"]["headers"]["Retry-After"] = {"$ref": REF + "headers/Retry-After"}
    responses["Conflict"]["headers"]["ETag"] = {"description": str(ETAG["description"]),
                                                "schema": ETAG["schema"]}  # a stale edit's only
    responses[SIGN_IN_FAILED[0]] = answer(SIGN_IN_FAILED[1])
    return responses


def _operation(operation: dict, path: str, method: str, origin, schemes: dict) -> None:
    api, name = origin
    in_path = PATH_ARGUMENT.findall(path)
    parameters = [p for p in operation.get("parameters", [])
                  if (p.get("in") != "path" or p.get("name") in in_path)
                  and not (p.get("in") == "query" and p.get("name") == "q")]  # FAB's front end's
    for argument in reversed(in_path):
        found = next((p for p in parameters if p.get("in") == "path" and p.get("name") == argument), None)
        if found is None:  # FAB's user API documents no parameter for its PUT
            found = {"in": "path", "name": argument}
            parameters.insert(0, found)
        found["required"] = True
        if ID_ARGUMENT.fullmatch(argument):
            found["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
            found.setdefault("description", _("The record's id"))
    if parameters:
        operation["parameters"] = parameters
    else:
        operation.pop("parameters", None)

    security = [s for s in operation.get("security", []) if all(k in schemes for k in s)]
    if security:
        operation["security"] = security
    else:
        operation.pop("security", None)

    responses = operation.setdefault("responses", {})
    has_body = "requestBody" in operation
    reads = has_body or any(p.get("in") in ("query", "header") for p in parameters)
    codes = {code for code in responses if code.startswith("4")}
    if not has_body and method != "delete":
        codes.discard("422")  # FAB documents it on every GET: a GET validates no record
    if not in_path:
        codes.discard("404")
    if security:
        codes.add("401")
        if api is not None and api.get_method_permission(name) is not None:
            codes.add("403")
    if in_path:
        codes.add("404")
    if reads:
        codes.add("400")
    if has_body:
        codes.add("413")
    if isinstance(api, SecurityApi) and name in GUESSES:
        codes.add("429")
    for code in list(responses):
        if not code.startswith("2") and code not in codes:
            del responses[code]  # 5xx among them: no answer is expected to be one
    for code in codes:
        if code == "401" and not security:
            responses[code] = {"$ref": REF + "responses/" + SIGN_IN_FAILED[0]}
        elif code in ERRORS:
            responses[code] = {"$ref": REF + "responses/" + ERRORS[code][0]}
    for response in responses.values():
        if "$ref" not in response:
            response.setdefault("headers", {})["Content-Language"] = {"$ref": REF + "headers/ContentLanguage"}
    if name == "info" and isinstance(api, ModelRestApi):
        responses["200"]["content"] = {"application/json": {"schema": {"$ref": REF + "schemas/Info"}}}
    elif isinstance(api, FabOpenApi):
        operation["description"] = _("The OpenAPI document of this version of the API, listing "
                                     "the operations the signed-in caller may call.")
        responses["200"]["content"] = {"application/json": {"schema": _resolved(DOCUMENT)}}


def _operation_ids(paths: dict, origins: dict) -> None:
    """club_list, club_get, club_create, club_info, security_login...: what a generated
    client names its functions after."""
    taken = {operation["operationId"] for operations in paths.values()
             for method, operation in operations.items() if method in METHODS and "operationId" in operation}
    for path, operations in paths.items():
        stem = re.sub(r"^/api/v\d+/", "", path)
        stem = "_".join(part.strip("_") for part in stem.split("/") if part and "{" not in part)
        for method, operation in operations.items():
            if method not in METHODS or "operationId" in operation:
                continue  # the API's own
            name = origins[path, method][1]
            action = ACTIONS.get(name, name) if name else method
            found = stem if stem.rsplit("_", 1)[-1] == action else f"{stem}_{action}"
            found = re.sub(r"\W+", "_", found).strip("_").lower()
            while found in taken:
                found += "_" + method
            operation["operationId"] = found
            taken.add(found)


def _links(paths: dict) -> None:
    """A created record's id leads to reading, changing and deleting it: said as links,
    which a client (or a fuzzer) follows from one answer to the next request."""
    for path, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201")
        record = paths.get(path + "{pk}") if path.endswith("/") else None
        if created is None or not record:
            continue
        created["links"] = {
            f"{operation['operationId']}": {"operationId": operation["operationId"],
                                            "parameters": {"pk": "$response.body#/id"}}
            for method, operation in record.items() if method in METHODS}


def _types(node) -> None:
    """The answers' own types where FAB writes a placeholder: ids are integers, counts
    whole numbers, a map of columns (labels, descriptions, filters) has any column."""
    if isinstance(node, list):
        for value in node:
            _types(value)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        if set(properties) == {"column_name"}:  # FAB's example of a map keyed by column
            value = {k: v for k, v in properties["column_name"].items() if k != "example"}
            node.pop("properties")
            node["additionalProperties"] = value
        for key in ("id", "count"):
            if isinstance(properties.get(key), dict) and properties[key].get("type") in ("string", "number"):
                properties[key]["type"] = "integer"
        items = properties.get("ids", {}).get("items") if isinstance(properties.get("ids"), dict) else None
        if isinstance(items, dict) and items.get("type") == "string":
            items["type"] = "integer"
    for value in node.values():
        _types(value)


def _drop_unused(document: dict) -> None:
    """The components no operation left in the document refers to (those of the APIs
    the caller may not call, FAB's own error responses)."""
    components = document["components"]
    pruned = ("schemas", "responses", "headers")
    pending = list(_refs(document["paths"]))
    pending += _refs({kind: body for kind, body in components.items() if kind not in pruned})
    used = set()
    while pending:
        ref = pending.pop()
        if ref in used or not ref.startswith(REF):
            continue
        used.add(ref)
        kind, _, name = ref[len(REF):].partition("/")
        pending += _refs(components.get(kind, {}).get(name))
    for kind in pruned:
        for name in list(components.get(kind, {})):
            if f"{REF}{kind}/{name}" not in used:
                del components[kind][name]


def _refs(node) -> list:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref" and isinstance(v, str)] + \
            [r for k, v in node.items() if k != "$ref" for r in _refs(v)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []
