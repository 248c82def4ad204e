"""The year a report page is asked for (`?year=`), read the same way by every report."""
import datetime

from flask import request
from flask_babel import gettext as _


def asked_year(default: int | None) -> int | None:
    """The four-digit year of `?year=`, else `default`; anything else is refused in words (a
    number past what the database holds would be a 500)."""
    from app.errors import BadInput

    text = request.args.get("year", "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        example = default or datetime.date.today().year
        raise BadInput(_("Choose a reporting year, such as %(year)d.", year=example))
    return int(text)
