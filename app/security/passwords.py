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
POLICY_HINT = _l("At least 10 characters, not the user name, not a common password.")


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
    ResetPasswordForm.password.kwargs["description"] = POLICY_HINT


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
    if pk is not None and str(pk).isdigit() and len(str(pk)) < 10:  # an Admin's reset
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


# -- the password screens ------------------------------------------------------

class CurrentPassword:
    """The signed-in user's present password: a stolen session alone cannot change it.
    A wrong one counts against the login limits (app.security.limits)."""

    def __call__(self, form, field):
        from flask import g
        from werkzeug.security import check_password_hash

        if not (current_user.is_authenticated and field.data
                and check_password_hash(current_user.password or "", field.data)):
            raise ValidationError(_("The current password is not correct."))
        g.login_succeeded = True


def _change_my_password_form():
    from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
    from flask_appbuilder.security.forms import ResetPasswordForm
    from wtforms import PasswordField
    from wtforms.validators import DataRequired

    new, confirm = ResetPasswordForm.password, ResetPasswordForm.conf_password

    class ChangeMyPasswordForm(ResetPasswordForm):
        # Declared again so that the current password comes first on the screen.
        current_password = PasswordField(_l("Current password"), widget=BS3PasswordFieldWidget(),
                                         validators=[DataRequired(), CurrentPassword()])
        password = PasswordField(*new.args, **{**new.kwargs, "description": POLICY_HINT})
        conf_password = PasswordField(*confirm.args, **confirm.kwargs)

    return ChangeMyPasswordForm


def password_views():
    """FAB's two password screens, under their own names (FAB links to them and grants
    them by name): one's own asks for the current password; an Admin's reset refuses a
    user that does not exist. Either change ends the user's other sessions
    (app.security.sessions)."""
    from flask import abort, flash, g, request
    from flask_appbuilder.security import views
    from werkzeug.security import generate_password_hash

    def target_user(view):
        pk = request.args.get("pk", "")
        user = view.appbuilder.sm.get_user_by_id(int(pk)) if pk.isdigit() and len(pk) < 10 else None
        if user is None:
            abort(404)
        return user

    def change(view, user, password):
        # FAB's reset_password says "Password Changed" even when the database refused it.
        config = current_app.config
        user.password = generate_password_hash(
            password, method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
            salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
        if view.appbuilder.sm.update_user(user) is False:
            flash(_("The password could not be changed. Please try again."), "danger")
        else:
            flash(str(view.message), "info")

    class ResetMyPasswordView(views.ResetMyPasswordView):
        form = _change_my_password_form()

        def form_post(self, form):
            change(self, self.appbuilder.sm.get_user_by_id(g.user.id), form.password.data)

    class ResetPasswordView(views.ResetPasswordView):
        def form_get(self, form):
            target_user(self)

        def form_post(self, form):
            change(self, target_user(self), form.password.data)

    return ResetMyPasswordView, ResetPasswordView
