"""What the page frame asks of the app: the page's language and title, and pieces drawn once.

A page's <title> names the page and the user's organisation, so that a tab, a bookmark
and a printout say what they show and whose it is.

FAB's frame includes its confirm and alert dialogs, and its show widgets include them
again: two elements with one id, which assistive technology and the HTML checker trip
over. `once(name)` is true the first time a page asks for `name`.
"""
from flask import current_app, g
from flask_babel import get_locale


def init_app(app) -> None:
    app.add_template_global(page_locale)
    app.add_template_global(once)
    app.add_template_global(page_title)


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
