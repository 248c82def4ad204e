"""Limits on password guessing, on the form login and on the API login: failed attempts
per client address and per user name (LOGIN_RATE_LIMIT, by default 10 a minute; the
next one answers 429).

Only failed attempts count, whatever made them fail (a wrong password, a missing form
token), so an office behind one address is not locked out by its own staff signing in.
The counters live in RATELIMIT_STORAGE_URI: memory:// holds in one process; several
gunicorn workers need a store they share (redis://...).
"""
import os

from flask import current_app, g, request
from flask_limiter.util import get_remote_address


def init_app(appbuilder) -> None:
    """After FAB has registered its login view and its security API."""
    app, sm = current_app, appbuilder.sm
    login_views = [sm.auth_view, *(v for v in appbuilder.baseviews if type(v).__name__ == "SecurityApi")]
    for view in login_views:
        for key in (_address, _username):
            sm.limiter.limit(app.config["LOGIN_RATE_LIMIT"], key_func=key, methods=["POST"],
                             exempt_when=_not_a_login, deduct_when=_failed)(view.blueprint)
    # The limit is checked first, before the form's CSRF token: a refused login is one.
    hooks = app.before_request_funcs[None]
    hooks.insert(0, hooks.pop(hooks.index(sm.limiter._check_request_limit)))
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory") and \
            "gunicorn" in os.environ.get("SERVER_SOFTWARE", ""):
        app.logger.warning("login limits and ended sessions are kept per process: with several "
                           "workers, set RATELIMIT_STORAGE_URI to a store they share (redis://...)")


def _not_a_login() -> bool:
    return (request.endpoint or "").rpartition(".")[2] != "login"


def _failed(_response) -> bool:
    return not g.get("login_succeeded", False)  # set by the security manager's auth_user_db


def _address() -> str:
    return "address:" + get_remote_address()


def _username() -> str:
    """The user name tried, from the form or the JSON body."""
    name = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return "user:" + (name.strip().casefold()[:100] if isinstance(name, str) else "")
