"""A password given by someone else is for the first sign-in only.

An account created with a password by another user (a director's account screen, Admin's,
the accounts' import, the user API), or whose password another user has reset, must choose
its own before anything else: every page leads to the form that changes it, and the API
answers 403 saying so. Choosing one's own password lifts it. An operator's command (`flask
create-user`, the demo's accounts) gives a password its owner already knows: no request,
no mark. The mark is `ab_user.must_change_password` (migration 0018)."""
from __future__ import annotations

from flask import flash, g, has_request_context, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import event

from .models import Account

# What such a user may still open: the form, signing in and out, the language, static files.
OPEN = {"ResetMyPasswordView.this_form_get", "ResetMyPasswordView.this_form_post", "LocaleView.index",
        "static", "appbuilder.static"}
OPEN_ANYWHERE = (".login", ".logout", ".refresh")


def _actor():
    """The signed-in user making the request, if any (a page's or a token's)."""
    if not has_request_context():
        return None
    user = g.get("user")
    return user if getattr(user, "is_authenticated", False) else None


@event.listens_for(Account, "before_insert")
def _created(_mapper, _connection, target):
    if _actor() is not None:  # someone else chose its password
        target.must_change_password = True


@event.listens_for(Account.password, "set")
def _set(target, value, oldvalue, _initiator):
    actor = _actor()
    if actor is None or value == oldvalue or target.id is None:
        return
    target.must_change_password = actor.id != target.id


def pending(user) -> bool:
    return bool(getattr(user, "must_change_password", False)) and getattr(user, "is_authenticated", False)


def stop(user):
    """The answer to a request of a user who has still to choose a password, or None."""
    endpoint = request.endpoint or ""
    if not pending(user) or endpoint in OPEN or endpoint.endswith(OPEN_ANYWHERE):
        return None
    message = _("Choose your own password: the one you were given was for the first sign-in only.")
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
        response.status_code = 403
        return response
    flash(message, "warning")
    return redirect(url_for("ResetMyPasswordView.this_form_get"))
