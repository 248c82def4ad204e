"""What the page frame asks of the app: the page's language, and pieces drawn once.

FAB's frame includes its confirm and alert dialogs, and its show widgets include them
again: two elements with one id, which assistive technology and the HTML checker trip
over. `once(name)` is true the first time a page asks for `name`.
"""
from flask import g
from flask_babel import get_locale


def init_app(app) -> None:
    app.add_template_global(page_locale)
    app.add_template_global(once)


def page_locale() -> str:
    return str(get_locale() or "ru")


def once(name: str) -> bool:
    drawn = g.setdefault("libnet_drawn_once", set())
    if name in drawn:
        return False
    drawn.add(name)
    return True
