"""Every answer of the API in the user's language, and every refusal in one shape.

A refusal under /api/ (any 4xx or 5xx) is
    {"message": one sentence,
     "errors": {field: [messages]}   only when fields are at fault ("nominations.0" when nested),
     "result": the record as stored,  only for a 409 (an edit of an older version)
     "problems": [{code, message}]}   only for a 409 (a report's step that its figures stop)
whoever made it: FAB's own answers, marshmallow's field errors, the token checks, ours.
FAB and marshmallow say theirs in English, and marshmallow formats its templates itself
(a translated template would not reach it), so their words are translated here, after
the fact, by the templates they are made from. What is ours already passes unchanged; a
text nobody knows gives way to the general message of the answer's status, so no answer
carries English into Russian or Bulgarian, nor a library's or a database's own words.

The labels, titles and descriptions of a record's API are those of its screen.
"""
import functools
import json
import re
from collections import deque

from flask import current_app, request
from flask_babel import LazyString, force_locale, get_locale, get_translations, gettext
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.errors import DATABASE_TEXT, MESSAGES

FIELDS_AT_FAULT = _l("Some fields are not filled in correctly.")
NOT_VALID = _l("Not a valid value.")  # a field's message in no language we know

NO_TOKEN = _l("Sign in first: the request carries no access token.")
BAD_TOKEN = _l("The access token is not valid: sign in again.")
EXPIRED_TOKEN = _l("The access token has expired: sign in again or refresh it.")
ENDED_TOKEN = _l("The access token is no longer valid: sign in again.")
FRESH_TOKEN = _l("Sign in again with your password to do this.")

ROLE_NEEDED = _l("Give the account at least one role.")
RANGE, LENGTH = validate.Range, validate.Length

# English templates of FAB's answers and of marshmallow's messages -> ours. A template's
# {placeholders} are kept: the translation says them too (%(name)s). Concrete texts come
# before templates that could also match them.
FOREIGN = [
    # flask_appbuilder.api, .security.api, .security.sqla.apis
    ("OK", _l("Done.")),
    ("Not found", MESSAGES[404]),
    ("Forbidden", _l("Your role does not allow this action.")),
    ("Access is Denied", _l("Your role does not allow this action.")),
    ("Not authorized", _l("Invalid login. Please try again.")),  # a failed login
    ("Fatal error", MESSAGES[500]),
    ("Arguments are not correct", MESSAGES[400]),
    ("Could not process entity", MESSAGES[400]),
    ("Request is not JSON", _l("Send the request body as JSON (Content-Type: application/json).")),
    ("Request payload is not JSON", _l("Send the request body as JSON (Content-Type: application/json).")),
    ("Not a valid rison argument", _l("The query (q) is neither Rison nor JSON.")),
    ("Not a valid rison/json argument", _l("The query (q) is neither Rison nor JSON.")),
    ("Not a valid rison schema {detail}", _l("The query (q) does not have the form this list takes.")),
    ("Invalid order by column: {column}", _l("This list cannot be sorted by that column.")),
    ("Cannot use both select and sel columns", _l("Use either columns or select_columns in the query (q), not both.")),
    ("Filter column: {column} not allowed to filter", _l("This list cannot be filtered by that column.")),
    ("Filter operation: {operation} not allowed on column: {column}",
     _l("This filter operation cannot be used on that column.")),
    ("Role(s) with ID(s) {ids} not found.", _l("No such role.")),
    ("Group(s) with ID(s) {ids} not found.", _l("No such group.")),
    ("User must have at least one role or group!", ROLE_NEEDED),
    ("Cannot clear all roles unless at least one group is assigned!", ROLE_NEEDED),
    ("Cannot clear all groups unless at least one role is assigned!", ROLE_NEEDED),
    # marshmallow: fields
    (fields.Field.default_error_messages["required"], _l("This field is required.")),
    (fields.Field.default_error_messages["null"], _l("This field cannot be empty.")),
    (fields.Field.default_error_messages["validator_failed"], NOT_VALID),
    (fields.Nested.default_error_messages["type"], _l("Send a JSON object.")),
    (fields.Mapping.default_error_messages["invalid"], _l("Send a JSON object.")),
    (fields.List.default_error_messages["invalid"], _l("Send a list here.")),
    (fields.Tuple.default_error_messages["invalid"], _l("Send a list here.")),
    (fields.String.default_error_messages["invalid"], _l("Enter a text.")),
    (fields.String.default_error_messages["invalid_utf8"], _l("Enter a text.")),
    (fields.Number.default_error_messages["invalid"], _l("Enter a number.")),
    (fields.Number.default_error_messages["too_large"], _l("This number is too large.")),
    (fields.Integer.default_error_messages["invalid"], _l("Enter a whole number.")),
    (fields.Float.default_error_messages["special"], _l("Enter a number.")),
    (fields.Boolean.default_error_messages["invalid"], _l("Enter true or false.")),
    (fields.Date.default_error_messages["invalid"], _l("Enter a date as YYYY-MM-DD.")),
    (fields.DateTime.default_error_messages["invalid"].format(obj_type=fields.DateTime.OBJ_TYPE),
     _l("Enter a date and time as YYYY-MM-DDTHH:MM:SS.")),
    (fields.Time.default_error_messages["invalid"].format(obj_type=fields.Time.OBJ_TYPE),
     _l("Enter a time as HH:MM:SS.")),
    (fields.Url.default_error_messages["invalid"], _l("Enter a web address.")),
    (fields.Email.default_error_messages["invalid"], _l("Enter an e-mail address.")),
    (fields.UUID.default_error_messages["invalid_uuid"], NOT_VALID),
    (fields.TimeDelta.default_error_messages["invalid"], NOT_VALID),
    # marshmallow: schemas and validators
    (Schema._default_error_messages["type"], _l("Send the record as a JSON object.")),
    (Schema._default_error_messages["unknown"], _l("Unknown field.")),
    (validate.Regexp.default_message, _l("This text is not in the expected form.")),
    (validate.NoneOf.default_message, NOT_VALID),
    (validate.OneOf.default_message, _l("Choose one of: %(choices)s.")),
    (fields.Enum.default_error_messages["unknown"], _l("Choose one of: %(choices)s.")),
    (validate.ContainsOnly.default_message, _l("Choose only from: %(choices)s.")),
    (validate.Equal.default_message, _l("Enter %(other)s.")),
    (LENGTH.message_min, _l("Enter at least %(min)s characters.")),
    (LENGTH.message_max, _l("Enter at most %(max)d characters.")),
    (LENGTH.message_all, _l("Enter from %(min)s to %(max)s characters.")),
    (LENGTH.message_equal, _l("Enter exactly %(equal)s characters.")),
    (RANGE.message_all.format(min_op=RANGE.message_gte, max_op=RANGE.message_lte),
     _l("Enter a number from %(min)s to %(max)s.")),
    (RANGE.message_min.format(min_op=RANGE.message_gte), _l("Enter a number of at least %(min)s.")),
    (RANGE.message_min.format(min_op=RANGE.message_gt), _l("Enter a number greater than %(min)s.")),
    (RANGE.message_max.format(max_op=RANGE.message_lte), _l("Enter a number of at most %(max)s.")),
    (RANGE.message_max.format(max_op=RANGE.message_lt), _l("Enter a number less than %(max)s.")),
]

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")  # str.format's
OURS_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")  # gettext's
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")


def init_app(app) -> None:
    """The token checks' answers; the hook that shapes every answer runs after every
    other one (after app.errors's, which replaces a database's text)."""
    tokens = app.extensions["flask-jwt-extended"]
    tokens.unauthorized_loader(lambda _reason: _token_refused(NO_TOKEN, invalid=False))
    tokens.invalid_token_loader(lambda _reason: _token_refused(BAD_TOKEN))
    tokens.expired_token_loader(lambda _header, _claims: _token_refused(EXPIRED_TOKEN))
    tokens.revoked_token_loader(lambda _header, _claims: _token_refused(ENDED_TOKEN))
    tokens.user_lookup_error_loader(lambda _header, _claims: _token_refused(ENDED_TOKEN))
    tokens.token_verification_failed_loader(lambda _header, _claims: _token_refused(BAD_TOKEN))
    tokens.needs_fresh_token_loader(lambda _header, _claims: _token_refused(FRESH_TOKEN))
    app.after_request_funcs.setdefault(None, []).insert(0, answer)  # the last to run


def _token_refused(message, invalid=True):
    """Every refused token is a 401 (flask_jwt_extended answers a malformed one 422),
    with the challenge RFC 6750 asks for."""
    challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
    return {"message": str(message)}, 401, {"WWW-Authenticate": challenge}


def answer(response):
    """Every /api/ answer says its language; a refusal is given the one shape."""
    if not request.path.startswith("/api/"):
        return response
    response.headers["Content-Language"] = str(get_locale())
    response.vary.add("Accept-Language")
    status = response.status_code
    if response.is_streamed:
        return response
    if status >= 400:
        body = response.get_json(silent=True) if response.is_json else None
        shaped = shape(body, status)
        if shaped != body:
            response.set_data(json.dumps(shaped, ensure_ascii=False))
            response.mimetype = "application/json"
        if status == 401 and "WWW-Authenticate" not in response.headers:
            response.headers["WWW-Authenticate"] = "Bearer"
    elif request.method == "DELETE" and response.is_json:  # FAB's "OK"
        body = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            said = say(body["message"])
            if said is not None and said != body["message"]:
                response.set_data(json.dumps({**body, "message": said}, ensure_ascii=False))
    return response


def shape(body, status: int) -> dict:
    """A refusal's body in the one shape, every text in the answer's language."""
    general = str(MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400])
    said, schema_level, errors = None, [], {}
    if isinstance(body, dict):
        text = body.get("message", body.get("msg"))
        if isinstance(text, str):
            said = say(text)
        elif isinstance(text, (dict, list)):
            _gather(text, (), schema_level, errors)
        if isinstance(body.get("errors"), dict):
            _gather(body["errors"], (), schema_level, errors)
    if said is None and schema_level:
        said = " ".join(dict.fromkeys(say(t) or general for t in schema_level))
    out = {"message": said or (str(FIELDS_AT_FAULT) if errors else general)}
    if errors:
        out["errors"] = {name: list(dict.fromkeys(say(t) or str(NOT_VALID) for t in texts))
                         for name, texts in errors.items()}
    if status == 409 and isinstance(body, dict) and "result" in body:
        out["result"] = body["result"]
    if status == 409 and isinstance(body, dict) and isinstance(body.get("problems"), list):
        out["problems"] = body["problems"]  # a statistical report's refused step (app/api/stat_reports.py)
    return out


def _gather(node, path, schema_level, errors) -> None:
    """Field -> its texts, from marshmallow's nesting ({"nominations": {0: [...]}}) or a
    bare text per field; the schema's own ("_schema", or no field) apart."""
    if isinstance(node, dict):
        for key, value in node.items():
            _gather(value, (*path, str(key)), schema_level, errors)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _gather(item, path, schema_level, errors)
    elif node is not None:
        name = ".".join(path)
        if name in ("", "_schema"):
            schema_level.append(str(node))
        else:
            errors.setdefault(name, []).append(str(node))


def say(text: str) -> str | None:
    """`text` in the answer's language: a library's English translated, ours as it is;
    None for a text in no language we know (or one that shows a database or a traceback)."""
    if not isinstance(text, str) or not text.strip():
        return None
    if DATABASE_TEXT.search(text) or TRACEBACK.search(text):
        return None
    plain = " ".join(text.split())  # FAB continues some of its lines with spaces
    for pattern, ours in _foreign():
        found = pattern.fullmatch(plain)
        if found:
            return _render(ours, found.groupdict())
    if _is_ours(text):
        return text
    current_app.logger.info("an answer's text in no language we know: %s", text[:200])
    return None


def _render(ours, values: dict) -> str:
    template = str(ours)
    if not values or not OURS_PLACEHOLDER.search(template):
        return template
    typed = {k: int(v) if v.isascii() and v.isdigit() and len(v) < 19 else v for k, v in values.items()}
    try:
        return template % typed
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return OURS_PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), template)


@functools.cache
def _foreign() -> list:
    return [(_pattern(english), ours) for english, ours in FOREIGN]


def _pattern(template: str, placeholder=PLACEHOLDER) -> re.Pattern:
    """A template as a regular expression: each placeholder a group of that name."""
    out, names, end = [], set(), 0
    for found in placeholder.finditer(template):
        out.append(re.escape(template[end:found.start()]))
        name = found[1]
        if name is None:  # {{ or }}
            out.append(re.escape(found[0][0]))
        elif name in names:
            out.append(f"(?P={name})")
        else:
            names.add(name)
            out.append(f"(?P<{name}>.+?)")
        end = found.end()
    out.append(re.escape(template[end:]))
    return re.compile("".join(out), re.S)


def _is_ours(text: str) -> bool:
    """Said through our catalogs: in Russian and Bulgarian, written in their alphabet; in
    English, one of the catalogs' own texts (its placeholders filled in)."""
    if get_locale().language != "en":
        return bool(CYRILLIC.search(text))
    exact, patterns = _english()
    return text in exact or any(p.fullmatch(text) for p in patterns)


def _english():
    """The English texts of the catalogs (app's, FAB's), read once per process."""
    index = current_app.extensions.get("libnet.english")
    if index is None:
        msgids = set()
        for language in current_app.config["LANGUAGES"]:
            if language != "en":
                with force_locale(language):
                    msgids.update(k for k in getattr(get_translations(), "_catalog", {})
                                  if isinstance(k, str) and k)
        exact = {m for m in msgids if not OURS_PLACEHOLDER.search(m)}
        # A template that is mostly placeholders would take any text for ours.
        patterns = [_pattern(m, OURS_PLACEHOLDER) for m in msgids - exact
                    if len(re.sub(r"\W", "", OURS_PLACEHOLDER.sub("", m))) >= 8]
        index = current_app.extensions["libnet.english"] = (exact, patterns)
    return index


# -- the words of a record's API: its screen's ------------------------------------

TITLES = ("list_title", "show_title", "add_title", "edit_title")


def speak_as_screen(api) -> None:
    """Give a record API (app.api.base.RecordApi) the labels, titles and descriptions of
    its record's screen (app/views), before FAB makes up English ones ("Founded Year",
    "List Club"). A relation's columns read as the relation: "library.name" is the
    Library, "library.id" the Library (id)."""
    from app.views.base import LABELS

    screen = _screen_of(api.model)
    labels = {**LABELS, **(getattr(screen, "label_columns", None) or {})}
    words = {"id": _l("Record id"), "version": _l("Record version")}
    for column in {*api.list_columns, *api.show_columns, *api.add_columns, *api.edit_columns}:
        relation, _, attribute = column.partition(".")
        if column in labels:
            words[column] = labels[column]
        elif attribute and relation in labels:
            words[column] = _id_label(labels[relation]) if attribute == "id" else labels[relation]
    api.label_columns = {**words, **(api.label_columns or {})}
    api.description_columns = {**(getattr(screen, "description_columns", None) or {}),
                               **(api.description_columns or {})}
    for title in TITLES:
        if screen is not None and not getattr(api, title, None):
            setattr(api, title, getattr(screen, title))


def _id_label(label) -> LazyString:
    return LazyString(lambda: gettext("%(label)s (id)", label=str(label)))


def _screen_of(model):
    """The record screen (app.views.base.RecordView) of `model`, the nearest one first."""
    from app.views.base import RecordView

    queue = deque(RecordView.__subclasses__())
    while queue:
        view = queue.popleft()
        if view.model is model:
            return view
        queue.extend(view.__subclasses__())
    return None
