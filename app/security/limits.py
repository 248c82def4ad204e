"""Limits on password guessing: failed attempts per account and per client address
(LOGIN_RATE_LIMIT, by default 10 a minute; the next one answers 429), one count each
across every way in: the login form, the API login, and the current password asked
when changing one's own.

The account is the one the typed name or e-mail signs in to, whatever its case, so
neither another path nor another spelling of the same account gets more guesses; a
name that is no account's counts under its case-folded self. Only failed attempts
count, whatever made them fail (a wrong password, a missing form token), so an office
behind one address is not locked out by its own staff signing in. The counters live in
RATELIMIT_STORAGE_URI: memory:// holds in one process; several gunicorn workers need a
store they share (redis://...).
"""
import hashlib
import os

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from sqlalchemy import or_, select

from app.validation import storable

from .models import Account, account_key

SCOPE = "login"
GUESSES = {"login", "this_form_post"}  # the endpoints' own names, on the guarded views
MAX_KEY = 320  # the longest e-mail key: a longer name is no account's


def init_app(appbuilder) -> None:
    """After FAB has registered its login view, its security API and its password screen."""
    app, sm = current_app, appbuilder.sm
    guarded = [sm.auth_view, *(v for v in appbuilder.baseviews if isinstance(v, sm.security_api)
                               or isinstance(v, sm.resetmypasswordview))]
    for view in guarded:
        for key in (_address, _account):
            # Shared: one count per key, whichever of the views the guess came through.
            sm.limiter.shared_limit(app.config["LOGIN_RATE_LIMIT"], SCOPE, key_func=key,
                                    methods=["POST"], exempt_when=_not_a_guess,
                                    deduct_when=_failed)(view.blueprint)
    # The limit is checked first, before the form's CSRF token: a refused login is one.
    hooks = app.before_request_funcs[None]
    hooks.insert(0, hooks.pop(hooks.index(sm.limiter._check_request_limit)))
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory") and \
            "gunicorn" in os.environ.get("SERVER_SOFTWARE", ""):
        app.logger.warning("login limits and ended sessions are kept per process: with several "
                           "workers, set RATELIMIT_STORAGE_URI to a store they share (redis://...)")


def _not_a_guess() -> bool:
    return (request.endpoint or "").rpartition(".")[2] not in GUESSES


def _failed(_response) -> bool:
    # Set by the security manager's auth_user_db, and by the current password's check.
    return not g.get("login_succeeded", False)


def _address() -> str:
    return "address:" + get_remote_address()


def _account() -> str:
    """The account the name or e-mail typed signs in to; the one signed in, when it
    changes its password."""
    if request.endpoint and request.endpoint.endswith(".this_form_post"):
        # The id the session holds: loading the user here, before the request's scope is
        # set (app.security.manager), would load its part of the network with nothing in view.
        return f"account:{session.get('_user_id', '')}"
    key = account_key(_typed_name())
    if key and len(key) <= MAX_KEY and storable(key):
        found = current_app.appbuilder.session.scalars(
            select(Account.id).where(or_(Account.username_key == key, Account.email_key == key))
            .order_by((Account.username_key == key).desc(), Account.id)).first()  # a name first
        if found is not None:
            return f"account:{found}"
    # Hashed: the store gets a short key of plain characters, whatever was typed.
    digest = hashlib.blake2b((key or "").encode("utf-8", "surrogatepass"), digest_size=16)
    return "name:" + digest.hexdigest()


def _typed_name() -> str | None:
    """The user name or e-mail tried, from the form or the JSON body."""
    name = request.form.get("username")
    if name is None and request.is_json:
        try:
            body = request.get_json(silent=True)
        except Exception:  # too deeply nested, say: the login view answers it
            body = None
        name = body.get("username") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None

