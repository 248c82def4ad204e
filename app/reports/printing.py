"""The frame of a printed report: a header and page numbers in the margins of each A4
page, drawn by the browser's own print (CSS paged media: the @page margin boxes, which
Chromium draws since version 131), in the user's language."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from markupsafe import Markup

COUNTERS = {"page": "counter(page)", "pages": "counter(pages)"}


def css_string(text: str) -> str:
    """`text` as a CSS string, safe inside a <style> element."""
    escaped = re.sub(r'[\\"<>\n\r]', lambda m: f"\\{ord(m[0]):x} ", text)
    return f'"{escaped}"'


def page_numbers() -> str:
    """ "Page 2 of 5" in the user's language, as the value of a CSS `content`."""
    parts = re.split(r"%\((page|pages)\)s", _("Page %(page)s of %(pages)s"))
    return " ".join(COUNTERS[part] if i % 2 else css_string(part)
                    for i, part in enumerate(parts) if i % 2 or part)


def page_frame(header: str, note: str = "") -> Markup:
    """The @page rule of a report: `header` at the top left, `note` (a date) at the top
    right, the page number at the bottom right. Each page says what it belongs to."""
    return Markup(
        "@page {"
        f" @top-left {{ content: {css_string(header)}; }}"
        f" @top-right {{ content: {css_string(note)}; }}"
        f" @bottom-right {{ content: {page_numbers()}; }}"
        " }")
