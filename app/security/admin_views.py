"""Admin's screens of Flask-AppBuilder (users, roles, groups), in the user's language.

FAB's screens show what Python holds: `True`, `[Director]`, a role's permissions as a list
of tuples. These subclasses show translated role names, yes/no, and permissions as
"screen: permission" lines. Groups grant nothing here (the security manager reads a user's
own roles only), so the user forms do not offer them.
"""
from collections import defaultdict

from flask import current_app, flash
from flask_appbuilder.models.sqla.filters import FilterNotEqual
from flask_appbuilder.security.views import RoleModelView, UserDBModelView, UserGroupModelView
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired

from app.i18n import format_moment, formatters

from .models import Account
from .roles import LABELS, PUBLIC
from .users import _translated_roles, role_names

BUILTIN_ROLE = _l("This role is part of the service: it cannot be changed here.")
# Public is the visitor who has not signed in: a role no account is given.
ROLE_LABELS = {**LABELS, PUBLIC: _l("Visitor (not signed in)")}


def role_label(name: str) -> str:
    return str(ROLE_LABELS.get(name, name))


def _no_groups(columns):
    return [c for c in columns if c != "groups"]


class UserScreenInWords:
    """FAB's user screen (and everyone's profile page, which it serves) without groups,
    and in words: yes/no, role names in the user's language. A mixin over the user
    view class the security manager uses: `in_words(UserDBModelView)`."""

    class_permission_name = "UserDBModelView"  # the permissions app.security.roles grants
    list_columns = _no_groups(UserDBModelView.list_columns)
    search_columns = _no_groups(UserDBModelView.search_columns)
    add_columns = _no_groups(UserDBModelView.add_columns)
    edit_columns = _no_groups(UserDBModelView.edit_columns)
    # FAB's validator asks for "a role or a group"; there are no groups to choose here.
    validators_columns = {"roles": [DataRequired(message=_l("Choose at least one role."))]}
    # Public is the visitor's role, not one to give an account.
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "roles": [["name", FilterNotEqual, PUBLIC]]}

    def __init__(self, **kwargs):
        moments = dict.fromkeys(("last_login", "created_on", "changed_on"), format_moment)
        self.formatters_columns = {**formatters(Account), **moments, "roles": role_names}
        super().__init__(**kwargs)
        self.add_form = _translated_roles(self.add_form)
        self.edit_form = _translated_roles(self.edit_form)


def in_words(user_view):
    """The user view class `user_view`, with UserScreenInWords over it."""
    return type(user_view.__name__, (UserScreenInWords, user_view), {})


def _screen(name: str) -> str:
    """A permission's screen or menu: a menu item by its label in the user's language, a
    REST API by its address (FAB's security APIs are named "User", "Role"...)."""
    appbuilder = current_app.appbuilder
    item = appbuilder.menu.find(name)
    if item is not None and item.label:
        return str(item.label)
    for view in appbuilder.baseviews:
        if view.class_permission_name == name and getattr(view, "resource_name", None):
            return f"/api/{view.version}/{view.resource_name}/"
    return name


def permission_label(pv) -> str:
    """One permission of the role form's list: "Libraries: menu_access"."""
    return f"{_screen(pv.view_menu.name)}: {pv.permission.name}"


def permission_lines(role) -> Markup:
    """A role's permissions, one screen a line: "LibraryView: can_list, can_show"."""
    builtin = current_app.appbuilder.sm.builtin_roles.get(role.name)
    if builtin is not None:  # the roles of app.security.roles: checked in memory, not in the table
        pairs = list(builtin)
    else:
        pairs = [(pv.view_menu.name, pv.permission.name) for pv in role.permissions
                 if pv.view_menu is not None and pv.permission is not None]
    if (".*", ".*") in pairs:
        return Markup(escape(_("Every screen: every permission")))
    if not pairs:
        return Markup("—")
    by_screen = defaultdict(list)
    for view, permission in pairs:
        by_screen[_screen(view)].append(permission)
    return Markup("<br>").join(f"{screen}: {', '.join(permissions)}"
                               for screen, permissions in by_screen.items())


def _labelled_permissions(form_class):
    """The role form lists permissions as "screen: permission", not FAB's "can list on X"."""
    field = form_class.permissions
    permissions = UnboundField(field.field_class, *field.args,
                               **{**field.kwargs, "get_label": permission_label})
    return type(form_class.__name__, (form_class,), {"permissions": permissions})


class RoleView(RoleModelView):
    """FAB's role screen: role names in words, permissions as lines; the service's own
    roles (app.security.roles) are fixed by the code, so they are read-only here."""

    list_widget = ListWidget
    show_widget = ShowWidget
    search_columns = ["name"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_form = _labelled_permissions(self.add_form)
        self.edit_form = _labelled_permissions(self.edit_form)

    def _builtin(self, name) -> bool:
        return name in self.appbuilder.sm.builtin_roles

    def _get_list_widget(self, *args, **kwargs):
        widgets = super()._get_list_widget(*args, **kwargs)
        view = widgets["list"].template_args
        rows = view["value_columns"] = list(view["value_columns"])  # FAB's is a generator
        roles = {role.id: role for role in self.datamodel.session.query(self.datamodel.obj).filter(
            self.datamodel.obj.id.in_(view["pks"]))}
        rights = []
        for pk, row in zip(view["pks"], rows):
            builtin = self._builtin(row["name"])
            row["permissions"] = permission_lines(roles[pk])
            row["name"] = role_label(row["name"])
            rights.append(frozenset() if builtin else frozenset({"edit", "delete", *self.actions}))
        view["rights"] = rights  # no edit, delete or checkbox on a builtin role's row
        allowed = frozenset().union(*rights)
        view["actions"] = {k: a for k, a in view["actions"].items() if k in allowed}
        return widgets

    def _get_show_widget(self, pk, item, *args, **kwargs):
        widgets = super()._get_show_widget(pk, item, *args, **kwargs)
        show = widgets["show"].template_args
        values, columns = list(show["value_columns"]), show["include_columns"]
        for i, column in enumerate(columns):
            if column == "permissions":
                values[i] = permission_lines(item)
            elif column == "name":
                values[i] = role_label(item.name)
        show["value_columns"] = values
        return widgets

    def _edit(self, pk):
        # Refused before FAB fills the role from the form: by then it may be flushed.
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None and self._builtin(item.name):
            flash(str(BUILTIN_ROLE), "danger")
            return None  # back where the user came from
        return super()._edit(pk)

    def pre_delete(self, item):
        if self._builtin(item.name):
            raise ValueError(str(BUILTIN_ROLE))
        super().pre_delete(item)


class GroupView(UserGroupModelView):
    label_columns = {"name": _l("Name"), "label": _l("Label"), "description": _l("Description"),
                     "users": _l("Users"), "roles": _l("Roles")}

