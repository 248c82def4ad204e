"""Error pages in the user's language, and JSON for the API: never a traceback."""
import json
import re

from flask import current_app, g, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in."),
    403: _l("You do not have access to this page."),
    404: _l("Not found: the page or record does not exist, or it is not yours to see."),
    405: _l("This action is not allowed here."),
    413: _l("The request is too large."),
    429: _l("Too many requests: wait a minute and try again."),
    500: _l("Something went wrong on our side. The change was not saved."),
}


class BadInput(BadRequest):
    """A 400 that says, in the user's language, what in the request was wrong."""

    def __init__(self, message, field: str | None = None):
        super().__init__()
        self.message, self.field = str(message), field


def init_app(app) -> None:
    app.register_error_handler(HTTPException, _page)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_no_database_text)


# What a database's own refusal reads like (SQLite, PostgreSQL, SQLAlchemy). FAB's own code
# answers an IntegrityError with its text: the last line of defence, for any path the data
# interfaces (app.validation.WriteRefused) do not cover.
DATABASE_TEXT = re.compile(r"constraint failed|violates .*constraint|duplicate key value|IntegrityError"
                           r"|psycopg|sqlite3\.|\[SQL: ", re.IGNORECASE)


def _no_database_text(response):
    """Only the answer's messages are read: a record sent back (a 409's) may hold any text."""
    if not (response.is_json and 400 <= response.status_code < 500 and not response.is_streamed):
        return response
    body = response.get_json(silent=True)
    messages = [body.get(key) for key in ("message", "msg")] if isinstance(body, dict) else []
    if any(DATABASE_TEXT.search(json.dumps(m, ensure_ascii=False)) for m in messages if m):
        current_app.logger.warning("a database refusal reached an answer: %s", str(body)[:500])
        response.set_data(json.dumps({"message": gettext("The database refused the change.")},
                                     ensure_ascii=False))
    return response


def _page(error: HTTPException, message: str | None = None):
    message = str(message or getattr(error, "message", None) or MESSAGES.get(error.code, error.name))
    # The error's own headers: a 405's Allow (RFC 9110), a 429's Retry-After.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if request.path.startswith("/api/"):
        field = getattr(error, "field", None)  # as a field's refusal reads: {field: [text]}
        return {"message": {field: [message]} if field else message}, error.code, headers
    from app.public import is_public, views as public

    if is_public(request.path):  # a visitor's page: no menu, nothing of the service
        return public.error_page(error.code, message), error.code, headers
    g.setdefault("user", current_user)  # refused (CSRF, rate limit) before FAB's before_request
    return render_template("error.html", code=error.code, message=message,
                           base_template=current_app.appbuilder.base_template,
                           appbuilder=current_app.appbuilder), error.code, headers


def _unexpected(error: Exception):
    if current_app.testing or current_app.debug:
        raise error  # the test or the developer sees the traceback
    current_app.logger.exception(error)
    return _page(InternalServerError())
