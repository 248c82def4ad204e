"""The user screen of Directors: the accounts of their subtree, with roles no higher
than Director. (FAB's own user, role and permission screens are for Admin only.)

Accounts are not tenant data (an Admin belongs to no tenant), so the session rule
does not cover them; this screen's data interface applies the scope to every read
it makes instead, list and record alike.

User names and e-mail addresses are unique whatever their case (sign-in ignores it):
`taken` checks it for this screen, FAB's user screen and user API (the classes at the
end, which the security manager uses) and `flask users add`.

The accounts API (`AccountApi`, /api/v1/security/users/, Admin's) keeps the same rules
with strict JSON types, and answers an account as GET shows it, never with its password.
"""
import datetime

from flask import abort, current_app, g, request
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.api import safe
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name, protect
from flask_appbuilder.security.sqla.apis import UserApi
from flask_appbuilder.security.sqla.models import Role
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import Schema, ValidationError as Invalid, fields, validate
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from wtforms import PasswordField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, EqualTo, Length

from app.extensions import db
from app.i18n import formatters
from app.models import Library, Tenant
from app.imports.views import IMPORT_ROUTES, Importable, without_imports
from app.views.base import KnownActionsOnly
from app.views.relations import choices_response, with_ajax_relations
from app.tenancy.session import current_scope
from app.validation import MAX_INT, RecordInterface, WriteRefused, is_id

from .models import Account, account_key
from .passwords import MIN_LENGTH, PasswordPolicy, password_problem
from .roles import ADMIN, BRANCH, DIRECTOR, LABELS, METHODOLOGIST, PUBLIC, VIEWER
from app.api.fields import Filled, Flag, Said, StrictSchema, Text, Whole

from .sessions import refused

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


class AccountView(SavedAtOnce, Importable, KnownActionsOnly, ModelView):
    datamodel = ScopedAccounts(Account)
    list_template = "reports/list.html"  # with the Import button (app/imports/accounts.py)
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
    method_permission_name = {"choices": "list", **dict.fromkeys(IMPORT_ROUTES, "import")}

    def __init__(self, **kwargs):
        without_imports(self, IMPORT_ROUTES)
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


# -- the accounts API (/api/v1/security/users/) ----------------------------------------

AN_ID = {"minimum": 1, "maximum": MAX_INT}


class RoleIds(Said, fields.List):
    said = {"invalid": _l("Send the roles as a list of their ids.")}

    def __init__(self, **kwargs):
        super().__init__(Whole(metadata=AN_ID), validate=_some_role, **kwargs)


def _some_role(ids):
    if not ids:
        raise Invalid(_("Choose at least one role."))


class Longest(validate.Validator):
    def __init__(self, most: int):
        self.max = most

    def __call__(self, value):
        if len(value) > self.max:
            raise Invalid(_("Enter at most %(max)d characters.", max=self.max))
        return value

    def _repr_args(self):
        return f"max={self.max}"


FILLED = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # Filled(), as the document says it


def _text(column: str, description: str, **kwargs) -> Text:
    most = Account.__table__.c[column].type.length
    return Text(validate=[Filled(), Longest(most)], metadata={
        "description": description, "minLength": 1, "maxLength": most, "pattern": FILLED}, **kwargs)


PASSWORD_MOST = 128  # the accounts screen's; a password is hashed at every sign-in


def _account_fields(new: bool) -> dict:
    """The fields of an account a request may set; all of them required to create one
    but `active` (true when not sent) and the organisation and library, none to change one."""
    return {
        "username": _text("username", "Unique whatever its case", required=new),
        "first_name": _text("first_name", "First name", required=new),
        "last_name": _text("last_name", "Last name", required=new),
        "email": _text("email", "Unique whatever its case", required=new),
        "active": Flag(metadata={"description": "A disabled account cannot sign in"}),
        "roles": RoleIds(required=new, metadata={
            "description": "Ids of the roles (at least one): GET _info lists them", "minItems": 1}),
        "tenant": Whole(allow_none=True, metadata={
            **AN_ID, "description": "Id of the region or district the account works for; with a "
                           "library, that library's. Every role but Admin needs one"}),
        "library": Whole(allow_none=True, metadata={
            **AN_ID, "description": "Id of the library of a Branch staff account (and only of one)"}),
        "password": Text(required=new, load_only=True, validate=[Filled(), Longest(PASSWORD_MOST)],
                         metadata={"description": "At least 10 characters, not the user name, "
                                                  "not a common password", "format": "password",
                                   "minLength": MIN_LENGTH, "maxLength": PASSWORD_MOST,
                                   "pattern": FILLED}),
    }


NewAccount = StrictSchema.from_dict(_account_fields(new=True), name="NewAccount")
AccountChange = StrictSchema.from_dict(_account_fields(new=False), name="AccountChange")


class Moment(fields.DateTime):
    """A moment as stored: in UTC (app.i18n.format_moment), said so."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class AccountPlace(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AccountRole(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As stored: Admin, Director, ..."})


class AccountShown(Schema):
    """An account as every answer shows it: never its password."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    active = fields.Boolean(required=True, allow_none=True)
    tenant = fields.Nested(AccountPlace, required=True, allow_none=True)
    library = fields.Nested(AccountPlace, required=True, allow_none=True)
    roles = fields.List(fields.Nested(AccountRole), required=True)
    last_login = Moment(required=True, allow_none=True)
    login_count = fields.Integer(required=True, allow_none=True)
    fail_login_count = fields.Integer(required=True, allow_none=True)
    created_on = Moment(required=True, allow_none=True)
    changed_on = Moment(required=True, allow_none=True)


def _visible(model, pk):
    """The row of `model` with this id, if the user may see it (the session rule)."""
    if pk is None:
        return None
    if not is_id(pk):
        return False
    return db.session.scalar(select(model).where(model.id == pk)) or False


class AccountApi(UserApi):
    """FAB's user API (/api/v1/security/users/) with the rules of the user screens:
    strict types, no field it does not know, names and e-mail addresses unique whatever
    their case, the password policy, roles that exist (Public is no account's), an
    organisation for every role but Admin and a library for branch staff. Answers show
    an account as GET does, never its password. Accounts have no version: a PUT is not
    compared with what was saved meanwhile."""

    datamodel = ScopedAccounts(Account)  # the accounts the user may manage: every one, for Admin
    add_model_schema, edit_model_schema = NewAccount(), AccountChange()
    show_model_schema, list_model_schema = AccountShown(), AccountShown()
    list_columns = show_columns = [
        "id", "username", "first_name", "last_name", "email", "active", "tenant.id", "tenant.name",
        "library.id", "library.name", "roles.id", "roles.name", "last_login", "login_count",
        "fail_login_count", "created_on", "changed_on"]
    add_columns = edit_columns = list(_account_fields(new=True))
    search_columns = ["username", "first_name", "last_name", "email", "active", "tenant", "library",
                      "roles"]
    order_columns = ["username", "first_name", "last_name", "email", "last_login", "created_on",
                     "changed_on"]
    list_title, show_title = AccountView.list_title, AccountView.show_title
    add_title, edit_title = AccountView.add_title, AccountView.edit_title
    label_columns = {
        **{k: v for k, v in AccountView.label_columns.items() if k != "conf_password"},
        "id": _l("ID"), "tenant.id": _l("Organisation"), "tenant.name": _l("Organisation"),
        "library.id": _l("Library"), "library.name": _l("Library"), "roles.id": _l("Roles"),
        "roles.name": _l("Roles"), "login_count": _l("Login count"),
        "fail_login_count": _l("Failed login count"), "created_on": _l("Created on"),
        "changed_on": _l("Changed on"),
    }

    # FAB hands titles to the JSON encoder as they are: lazy texts, which it cannot write.
    def merge_list_title(self, response, **kwargs):
        response["list_title"] = str(self.list_title)

    def merge_show_title(self, response, **kwargs):
        response["show_title"] = str(self.show_title)

    def merge_add_title(self, response, **kwargs):
        response["add_title"] = str(self.add_title)

    def merge_edit_title(self, response, **kwargs):
        response["edit_title"] = str(self.edit_title)

    def _get_field_info(self, field, *args, **kwargs):
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""  # not gettext(""), which is the catalog's header
        if field.name == "roles":
            roles = db.session.scalars(select(Role).where(Role.name != PUBLIC).order_by(Role.id))
            info["values"] = [{"id": role.id, "value": role_label(role)} for role in roles]
            info["count"] = len(info["values"])
        return info

    def _shown(self, status: int, account):
        return self.response(status, id=account.id, result=self.show_model_schema.dump(account))

    @staticmethod
    def _body():
        body = request.get_json(silent=True) if request.is_json else None
        return body if isinstance(body, dict) else None

    def _apply(self, account, sent: dict) -> dict:
        """Set what was sent on `account`, or return field -> [message] and set nothing."""
        found = {}
        roles = account.roles
        if "roles" in sent:
            ids = sorted({pk for pk in sent["roles"] if is_id(pk)})
            roles = db.session.scalars(select(Role).where(Role.id.in_(ids), Role.name != PUBLIC)).all()
            if len(roles) != len(set(sent["roles"])):
                found["roles"] = _("No such role.")
        places = {}
        for name, model in (("tenant", Tenant), ("library", Library)):
            places[name] = getattr(account, name)
            if name in sent:
                places[name] = _visible(model, sent[name])
                if places[name] is False:
                    found[name] = _("No such record.")
        username = sent.get("username", account.username)
        found.update(taken(sent.get("username"), sent.get("email"), account.id))
        if "password" in sent:
            problem = password_problem(sent["password"], username)
            if problem:
                found["password"] = problem
        if not found and {"roles", "tenant", "library"} & sent.keys():
            found.update(node_problems(roles, places["tenant"], places["library"]))
        if found:
            return {field: [message] for field, message in found.items()}
        for name in ("username", "first_name", "last_name", "email", "active"):
            if name in sent:
                setattr(account, name, sent[name])
        if "roles" in sent:
            account.roles = list(roles)
        for name in ("tenant", "library"):
            if name in sent:
                setattr(account, name, places[name])
        if account.library is not None:  # branch staff work for their library's district
            account.tenant = account.library.tenant
        if "password" in sent:
            config = current_app.config
            account.password = generate_password_hash(
                sent["password"], method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
        return {}

    def _save(self, account, status: int, write):
        try:
            with self.datamodel.session.no_autoflush:  # saved whole, by the data interface
                write(account)
        except WriteRefused as refusal:
            return refused(422, None, str(refusal))
        return self._shown(status, account)

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def post(self):
        """Create an account
        ---
        post:
          summary: Create an account
          description: >-
            400 when the body is not a JSON object; 422 when fields are at fault (each
            named in `errors`: a wrong type, a field this API does not take, a name or
            e-mail address taken whatever its case, a weak password, a role, organisation
            or library that does not exist) or the database refused the account.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
          responses:
            201:
              description: The account, as GET shows it
              content:
                application/json:
                  schema:
                    type: object
                    required: [id, result]
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            422:
              $ref: '#/components/responses/422'
        """
        body = self._body()
        if body is None:
            return refused(400, None, _("Send the account as a JSON object."))
        with self.datamodel.session.no_autoflush:
            try:
                sent = self.add_model_schema.load(body)
            except Invalid as error:
                return refused(422, error.messages)
            account = Account(active=True)
            found = self._apply(account, sent)
        if found:
            self.datamodel.session.rollback()
            return refused(422, found)
        return self._save(account, 201, self.datamodel.add)

    @expose("/<pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk):
        """Change an account
        ---
        put:
          summary: Change an account
          description: >-
            Changes the fields sent; the others stay as stored. Accounts have no version:
            the change is not compared with one saved meanwhile. A new password ends the
            account's sessions and tokens. 400 when the body is not a JSON object; 422 when
            fields are at fault (named in `errors`) or the database refused the change.
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.put'
          responses:
            200:
              description: The account, as GET shows it
              content:
                application/json:
                  schema:
                    type: object
                    required: [id, result]
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        account = self.datamodel.get(pk, self._base_filters)
        if account is None:
            return self.response_404()
        body = self._body()
        if body is None:
            return refused(400, None, _("Send the account as a JSON object."))
        with self.datamodel.session.no_autoflush:
            try:
                sent = self.edit_model_schema.load(body)
            except Invalid as error:
                return refused(422, error.messages)
            found = self._apply(account, sent)
        if found:
            self.datamodel.session.rollback()
            return refused(422, found)
        account.changed_on = datetime.datetime.now()
        account.changed_by_fk = g.user.id
        return self._save(account, 200, self.datamodel.edit)

    def delete_headless(self, pk):
        account = self.datamodel.get(pk, self._base_filters)
        if account is not None and account.id == g.user.id:
            return refused(422, None, _("You cannot delete your own account."))
        try:
            return super().delete_headless(pk)
        except WriteRefused as refusal:
            return refused(422, None, str(refusal))


def node_problems(roles, tenant, library) -> dict[str, str]:
    """Field -> message for an account attached where its roles cannot work: every role
    but Admin works for a region, a district or a library; branch staff for a library."""
    names = {role.name for role in roles}
    if ADMIN in names:
        return {}
    if tenant is None and library is None:
        return {"tenant": _("Attach the user to a region, a district or a library.")}
    if (BRANCH in names) != (library is not None):
        return {"library": _("Branch staff are attached to a library; other roles are not.")}
    return {}
