"""What the page frame asks of the app: the page's language and title, and pieces drawn once.

A page's <title> names the page and the user's organisation, so that a tab, a bookmark
and a printout say what they show and whose it is.

FAB's frame includes its confirm and alert dialogs, and its show widgets include them
again: two elements with one id, which assistive technology and the HTML checker trip
over. `once(name)` is true the first time a page asks for `name`.
"""
from flask import current_app, g, request
from flask_babel import get_locale


def init_app(app) -> None:
    app.add_template_global(page_locale)
    app.add_template_global(once)
    app.add_template_global(page_title)
    app.add_template_global(add_label)
    app.add_template_global(page_view)


def page_locale() -> str:
    return str(get_locale() or "ru")


def once(name: str) -> bool:
    drawn = g.setdefault("libnet_drawn_once", set())
    if name in drawn:
        return False
    drawn.add(name)
    return True


def page_title(title=None) -> str:
    user = g.get("user")
    node = None
    if getattr(user, "is_authenticated", False):
        node = user.library.tenant if getattr(user, "library_id", None) else user.tenant
    app_name = current_app.appbuilder.app_name
    parts = [str(part) for part in (title, node, app_name) if part]
    return " · ".join(dict.fromkeys(parts))


def add_label(view_name: str) -> str | None:
    """What a list's add button says: its view's add title ("Добавить клуб")."""
    for view in current_app.appbuilder.baseviews:
        if type(view).__name__ == view_name:
            title = getattr(view, "add_title", None)
            return str(title) if title else None
    return None


def page_view():
    """The view (screen) that answers this request, for what its templates ask of it."""
    name = request.blueprint
    return next((view for view in current_app.appbuilder.baseviews if view.blueprint.name == name), None) \
        if name else None
