"""The user screen of Directors: the accounts of their subtree, with roles no higher
than Director. (FAB's own user, role and permission screens are for Admin only.)

Accounts are not tenant data (an Admin belongs to no tenant), so the session rule
does not cover them; this screen's data interface applies the scope to every read
it makes instead, list and record alike.
"""
from flask import abort, g
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.security import generate_password_hash
from wtforms import PasswordField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, EqualTo, Length

from app.i18n import formatters
from app.views.base import KnownActionsOnly
from app.views.relations import choices_response, with_ajax_relations
from app.tenancy.session import current_scope
from app.validation import RecordInterface

from .models import Account
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
    def validate(form, extra_validators=None):
        valid = form_class.validate(form, extra_validators)
        for name, message in account_problems(form).items():
            form[name].errors = [*form[name].errors, message]
            valid = False
        return valid

    return type(form_class.__name__, (form_class,), {"validate": validate})


def role_label(role) -> str:
    return str(LABELS.get(role.name, role.name))


def role_names(roles) -> str:
    return ", ".join(role_label(role) for role in roles)


def _translated_roles(form_class):
    """The roles field lists the roles by their names in the user's language."""
    field = form_class.roles
    roles = UnboundField(field.field_class, *field.args, **{**field.kwargs, "get_label": role_label})
    return type(form_class.__name__, (form_class,), {"roles": roles})


class AccountView(KnownActionsOnly, ModelView):
    datamodel = ScopedAccounts(Account)
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
