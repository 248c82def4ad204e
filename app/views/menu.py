"""The navigation menu, rendered once per set of roles and language.

FAB renders the menu on every page, asking for each item whether the user may see it.
Those answers depend only on the roles, and the builtin roles (app.security.roles) are
fixed for the process's life: a user whose roles are all builtin gets the menu made
for their roles and language. Any other role (made on FAB's role screens, and changeable
there) gets it rendered for the request, as FAB does.
"""
from flask import current_app, g, render_template
from flask_babel import get_locale
from markupsafe import Markup


# FAB's security items the menu leaves out. One list of users: the accounts screen
# (app.security.users) shows each account's organisation and library, and Admin sees all
# of them there; FAB's user screen still serves the profile page and Admin's password
# resets. Groups grant nothing here (the security manager reads an account's own roles).
HIDDEN = {"Security": ("List Users", "List Groups")}


def init_app(app) -> None:
    app.add_template_global(menu_html)
    for item in app.appbuilder.menu.get_list():
        if item.name in HIDDEN:
            item.childs = [child for child in item.childs if child.name not in HIDDEN[item.name]]


def menu_html() -> Markup:
    appbuilder = current_app.appbuilder
    user = g.get("user")
    roles = appbuilder.sm.get_user_roles(user) if getattr(user, "is_authenticated", False) \
        else [appbuilder.sm.get_public_role()]
    names = tuple(sorted(role.name for role in roles if role is not None))
    if any(name not in appbuilder.sm.builtin_roles for name in names):
        return _render(appbuilder)
    key = (names, str(get_locale()))
    cache = current_app.extensions.setdefault("libnet.menus", {})
    if key not in cache:
        cache[key] = _render(appbuilder)
    return cache[key]


def _render(appbuilder) -> Markup:
    return Markup(render_template("libnet/menu.html", menu=appbuilder.menu))
