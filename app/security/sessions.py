"""Sessions and tokens end with the password.

Every account has a session epoch (`ab_user.session_epoch`, migration 0005): a password
change or reset, on whatever path (FAB's screens, its user API, the CLI), adds one to it
(the attribute event below). A login writes the epoch into the session cookie and into
every JWT it issues (access and refresh); each request compares the cookie's epoch with
the account's (the security manager's before_request, which loads the account anyway)
and each token's (the JWT user lookup), so an older session or token signs no one in.
The session that changed its own password is given the new epoch and stays signed in.

A cookie or token without an epoch dates from before the epoch existed: it counts as 0,
which is what every account had then.
"""
from flask import current_app, flash, g, has_request_context, request, session
from flask_babel import gettext as _
from flask_jwt_extended import get_jwt
from flask_login import current_user, logout_user
from sqlalchemy import event, inspect, select

from .models import Account

EPOCH = "epoch"  # the session key and the JWT claim


def init_app(app) -> None:
    app.after_request(_renew_own_session)


@event.listens_for(Account.password, "set", active_history=True)
def _password_changed(target, value, oldvalue, _initiator):
    if value == oldvalue or not inspect(target).has_identity:
        return  # a new account has no sessions yet
    # Counted in SQL: two changes at once both count, and several sets in one flush once.
    target.session_epoch = Account.session_epoch + 1
    if has_request_context():
        g.setdefault("password_changed", set()).add(target.id)


def session_epoch(user) -> int:
    return user.session_epoch or 0


def start_session(user) -> None:
    """At login: the session belongs to the account's present epoch."""
    session[EPOCH] = session_epoch(user)


def end_outdated_session(user) -> bool:
    """Sign out a session of an older epoch; True when it was."""
    if not getattr(user, "is_authenticated", False) or \
            session.get(EPOCH, 0) == session_epoch(user):
        return False
    logout_user()  # the session's id is remembered as ended (app.security.hardening)
    if not request.path.startswith("/api/"):
        flash(_("Your password has been changed: sign in with the new one."), "warning")
    return True


def _renew_own_session(response):
    """The session that changed its own password keeps going under the new epoch."""
    changed = g.pop("password_changed", None)
    if changed and "_user_id" in session and current_user.is_authenticated \
            and current_user.id in changed:
        db_session = current_app.appbuilder.session
        try:  # what the database holds: not a change left unsaved, nor one rolled back
            with db_session.no_autoflush:
                session[EPOCH] = db_session.scalar(
                    select(Account.session_epoch).where(Account.id == current_user.id))
        except Exception as error:  # the session is signed out on its next request
            current_app.logger.warning("could not renew the session's epoch: %s", error)
    return response


# -- tokens --------------------------------------------------------------------

def token_claims(identity) -> dict:
    """The epoch a new token carries: the refresh token's own, when refreshing (it was
    checked a moment ago), else the epoch the login has just checked the password in."""
    try:
        presented = get_jwt()
    except RuntimeError:  # no token was verified in this request
        presented = {}
    if presented.get("type") == "refresh" and presented.get("sub") == str(identity):
        return {EPOCH: presented.get(EPOCH, 0)}
    user = g.get("login_user")
    if user is None or str(user.id) != str(identity):
        user = current_app.appbuilder.sm.get_user_by_id(int(identity))
    return {EPOCH: session_epoch(user)}


def token_is_current(user, jwt_data: dict) -> bool:
    return jwt_data.get(EPOCH, 0) == session_epoch(user)
