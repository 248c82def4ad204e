"""The user screen of Directors: the accounts of their subtree, with roles no higher
than Director. (FAB's own user, role and permission screens are for Admin only.)

Accounts are not tenant data (an Admin belongs to no tenant), so the session rule
does not cover them; this screen's data interface applies the scope to every read
it makes instead, list and record alike.

User names and e-mail addresses are unique whatever their case (sign-in ignores it):
`taken` checks it for this screen, FAB's user screen and user API (the classes at the
end, which the security manager uses) and `flask users add`.
"""
from flask import abort, g, request
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.api import safe
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name, protect
from flask_appbuilder.security.sqla.apis import UserApi
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError as Invalid
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from wtforms import PasswordField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, EqualTo, Length

from app.extensions import db
from app.i18n import formatters
from app.views.base import KnownActionsOnly
from app.views.relations import choices_response, with_ajax_relations
from app.tenancy.session import current_scope
from app.validation import RecordInterface, WriteRefused, is_id

from .models import Account, account_key
from .passwords import PasswordPolicy
from .roles import BRANCH, DIRECTOR, LABELS, METHODOLOGIST, VIEWER

ASSIGNABLE = (DIRECTOR, METHODOLOGIST, BRANCH, VIEWER)


class ScopedAccounts(RecordInterface):  # an impossible id finds nothing
    """Accounts attached inside the user's scope; nothing else can be read here."""

    def _in_scope(self, query):
        scope = current_scope(self.session)
        if scope.unrestricted or self.obj is not Account:  # related interfaces are tenant data
            return query
        return query.filter(Account.tenant_id.in_(sorted(scope.visible)))

    def apply_all(self, query, *args, **kwargs):
        return super().apply_all(self._in_scope(query), *args, **kwargs)

    def query_count(self, query, *args, **kwargs):
        return super().query_count(self._in_scope(query), *args, **kwargs)


def taken(username=None, email=None, pk=None) -> dict[str, str]:
    """Field -> message, for a user name or e-mail address that another account has,
    whatever its case: sign-in ignores case, so two such accounts would lock each other
    out. User names are global; the message names no tenant. None: not being set."""
    found, keys = {}, {}
    if username is not None:
        keys["username"] = (Account.username_key, account_key(username))
        if keys["username"][1] is None:
            found["username"] = _("Enter a user name.")
    if email is not None and account_key(email) is not None:
        keys["email"] = (Account.email_key, account_key(email))
    messages = {"username": _("This user name is taken."),
                "email": _("This e-mail address is taken by another account.")}
    with db.session.no_autoflush:  # an edited account holds the new values already
        for field, (column, key) in keys.items():
            query = select(Account.id).where(column == key)
            if pk is not None and is_id(pk):
                query = query.where(Account.id != int(pk))
            if key is not None and db.session.scalar(query.limit(1)) is not None:
                found[field] = messages[field]
    return found


def _form_value(form, name):
    return form[name].data if name in form else None


def form_taken(form) -> dict[str, str]:
    """taken() for an account form: the fields it has, the account it edits."""
    return taken(_form_value(form, "username"), _form_value(form, "email"),
                 (request.view_args or {}).get("pk"))


def _with_checks(form_class, check):
    """A form class whose validation adds check(form)'s field -> message."""

    def validate(form, extra_validators=None):
        valid = form_class.validate(form, extra_validators)
        for name, message in check(form).items():
            if not form[name].errors:  # one message a field: FAB's own come first
                form[name].errors = [*form[name].errors, message]
            valid = False
        return valid

    return type(form_class.__name__, (form_class,), {"validate": validate})


class SavedAtOnce:
    """FAB fills the record in and runs pre_add/pre_update on it before saving: a query
    there would save it early, and FAB would flash the database's refusal word for word.
    Saved only by the data interface, a refusal is said in words (WriteRefused)."""

    def _add(self):
        with self.datamodel.session.no_autoflush:
            return super()._add()

    def _edit(self, pk):
        with self.datamodel.session.no_autoflush:
            return super()._edit(pk)


class NameIn(BaseFilter):
    name = "Name in"
    arg_name = "name_in"

    def apply(self, query, value):
        return query.filter(self.model.name.in_(value))


def account_problems(form) -> dict[str, str]:
    """Field -> message for an account a Director may not create or keep."""
    roles, library = form.roles.data or [], form.library.data
    tenant = library.tenant if library is not None else form.tenant.data
    if not roles or any(role.name not in ASSIGNABLE for role in roles):
        return {"roles": _("Choose roles among: %(roles)s.", roles=", ".join(ASSIGNABLE))}
    if tenant is None:
        return {"tenant": _("Attach the user to a region, a district or a library.")}
    if any(role.name == BRANCH for role in roles) != (library is not None):
        return {"library": _("Branch staff are attached to a library; other roles are not.")}
    return {}


def _with_account_rules(form_class):
    return _with_checks(form_class, lambda form: {**form_taken(form), **account_problems(form)})


def role_label(role) -> str:
    return str(LABELS.get(role.name, role.name))


def role_names(roles) -> str:
    return ", ".join(role_label(role) for role in roles)


class OptionalCheckbox(CheckboxInput):
    """One role's box. The field requires a role, not every box: the browser must not
    refuse a form with one box left unticked (the server says when none is chosen)."""

    def __call__(self, field, **kwargs):
        kwargs["required"] = False
        return super().__call__(field, **kwargs)


def _translated_roles(form_class):
    """The roles field lists the roles by their names in the user's language, as a
    checkbox each: four roles are read at a glance, and each box has its own label."""
    field = form_class.roles
    roles = UnboundField(field.field_class, *field.args, **{
        **field.kwargs, "get_label": role_label,
        "widget": ListWidget(prefix_label=False), "option_widget": OptionalCheckbox()})
    return type(form_class.__name__, (form_class,), {"roles": roles})


class AccountView(SavedAtOnce, KnownActionsOnly, ModelView):
    datamodel = ScopedAccounts(Account)
    database_error_message = _l("The database refused the change.")  # FAB's edit says only this
    list_title, show_title = _l("User accounts"), _l("User account")
    add_title, edit_title = _l("Add a user account"), _l("Edit a user account")
    list_columns = ["username", "first_name", "last_name", "tenant", "library", "roles", "active"]
    show_columns = ["username", "first_name", "last_name", "email", "tenant", "library", "roles",
                    "active", "last_login"]
    edit_columns = ["first_name", "last_name", "email", "tenant", "library", "roles", "active"]
    add_columns = ["username", *edit_columns, "password", "conf_password"]
    search_columns = ["username", "first_name", "last_name", "tenant", "library", "active"]
    label_columns = {
        "username": _l("User name"), "first_name": _l("First name"), "last_name": _l("Last name"),
        "email": _l("E-mail"), "tenant": _l("Organisation"), "library": _l("Library"),
        "roles": _l("Roles"), "active": _l("Active"), "last_login": _l("Last login"),
        "password": _l("Password"), "conf_password": _l("Confirm password"),
    }
    add_form_extra_fields = {
        "password": PasswordField(_l("Password"), widget=BS3PasswordFieldWidget(),
                                  validators=[DataRequired(), Length(min=10, max=128), PasswordPolicy()]),
        "conf_password": PasswordField(_l("Confirm password"), widget=BS3PasswordFieldWidget(), validators=[
            EqualTo("password", message=_l("The passwords do not match."))]),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {"roles": [["name", NameIn, ASSIGNABLE]]}
    method_permission_name = {"choices": "list"}

    def __init__(self, **kwargs):
        self.formatters_columns = {**formatters(Account), "roles": role_names}
        super().__init__(**kwargs)
        # The organisation and library fields search the server, among the places the
        # user may attach an account to (a network holds tens of thousands of libraries).
        choices = f"{type(self).__name__}.choices"
        self.add_form = _with_account_rules(_translated_roles(with_ajax_relations(
            self.add_form, Account, choices, for_form=True)))
        self.edit_form = _with_account_rules(_translated_roles(with_ajax_relations(
            self.edit_form, Account, choices, for_form=True)))
        self.search_form = with_ajax_relations(self.search_form, Account, choices, for_form=False)

    @expose("/choices/<column>")
    @has_access
    def choices(self, column):
        """One page of the organisations or libraries the fields may offer (select2)."""
        if column not in ("tenant", "library"):
            abort(404)
        return choices_response(Account, column)

    def pre_add(self, item):
        self.pre_update(item)
        item.password = generate_password_hash(item.password)

    def pre_update(self, item):
        if item.library is not None:  # branch staff work for their library's district
            item.tenant = item.library.tenant

    def pre_delete(self, item):
        if item.id == g.user.id:
            raise ValueError(_("You cannot delete your own account."))


class AccountRules(SavedAtOnce):
    """For FAB's user screens (Admin's): user names and e-mail addresses unique whatever
    their case, and a refused write said in words, never in the database's."""

    database_error_message = _l("The database refused the change.")

    def __init__(self, **kwargs):
        # The security manager gives the class FAB's plain interface; the forms are built
        # from the interface, so it is replaced first.
        self.datamodel = RecordInterface(Account)
        super().__init__(**kwargs)
        self.add_form = _with_checks(self.add_form, form_taken)
        self.edit_form = _with_checks(self.edit_form, form_taken)


class AdminAccountView(AccountRules, UserDBModelView):
    class_permission_name = "UserDBModelView"  # the permissions app.security.roles grants


class _ApiAccounts(RecordInterface):
    """FAB's user API answers a marshmallow ValidationError with a 400 carrying its
    message, and a database error with the database's text: the latter becomes the former."""

    def add(self, item, *args, **kwargs):
        try:
            return super().add(item, *args, **kwargs)
        except WriteRefused as refusal:
            raise Invalid(str(refusal)) from refusal

    def edit(self, item, *args, **kwargs):
        try:
            return super().edit(item, *args, **kwargs)
        except WriteRefused as refusal:
            raise Invalid(str(refusal)) from refusal


class AccountApi(UserApi):
    """FAB's user API (/api/v1/security/users/), with the rules of the user screens."""

    datamodel = _ApiAccounts(Account)

    def pre_add(self, item):
        found = taken(item.username, item.email)
        if found:
            raise Invalid({field: [message] for field, message in found.items()})
        super().pre_add(item)

    def pre_update(self, item, data):
        found = taken(data.get("username"), data.get("email"), item.id)
        if found:
            raise Invalid({field: [message] for field, message in found.items()})
        super().pre_update(item, data)

    @expose("/<pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk):
        # FAB's would change an account it did not find, and answer 500.
        if self.datamodel.get(pk, self._base_filters) is None:
            return self.response_404()
        return super().put(pk)

    def delete_headless(self, pk):
        try:
            return super().delete_headless(pk)
        except WriteRefused as refusal:
            return self.response_422(message=str(refusal))
