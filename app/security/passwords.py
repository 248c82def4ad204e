"""The password policy: at least 10 characters, not the user name, not a common password.

It holds wherever a password is set: FAB's user and password screens and its user API
(FAB_PASSWORD_COMPLEXITY_VALIDATOR), the Director's account screen, `flask users add`.
"""
from functools import cache
from pathlib import Path

from flask import current_app, has_request_context, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import ValidationError

MIN_LENGTH = 10
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why `password` may not be used, in the user's language; None when it may."""
    password = password or ""
    folded = password.casefold()
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(num)d characters.", num=MIN_LENGTH)
    name = (username or "").strip().casefold()
    if name and (name == folded or (len(name) >= 4 and name in folded)):
        return _("The password must not contain the user name.")
    if folded in common_passwords():
        return _("This password is one of the most common ones: choose another.")
    return None


def init_app(app) -> None:
    """FAB's password fields (its user screens, password resets, user API) use the policy."""
    from flask_appbuilder.security.forms import ResetPasswordForm

    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_ENABLED", True)
    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", fab_validator)
    # FAB's own hint says that nothing is checked.
    ResetPasswordForm.password.kwargs["description"] = _l(
        "At least 10 characters, not the user name, not a common password.")


def fab_validator(password: str) -> None:
    """FAB calls this with the password alone: the user name comes from the request."""
    problem = password_problem(password, _username_in_request())
    if problem:
        raise PasswordComplexityValidationError(problem)


def _username_in_request() -> str | None:
    if not has_request_context():
        return None
    body = request.get_json(silent=True) if request.is_json else None
    named = request.form.get("username") or (body or {}).get("username")
    if isinstance(named, str) and named:
        return named  # a new account
    pk = (request.view_args or {}).get("pk") or request.args.get("pk")
    if pk is not None and str(pk).isdigit():  # an Admin resetting someone's password
        user = current_app.appbuilder.sm.get_user_by_id(int(pk))
        return user.username if user else None
    return current_user.username if current_user.is_authenticated else None


class PasswordPolicy:
    """The WTForms validator: the user name is the form's own `username` field."""

    def __call__(self, form, field):
        username = form.username.data if "username" in form else _username_in_request()
        problem = password_problem(field.data, username)
        if problem:
            raise ValidationError(problem)
