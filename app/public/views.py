"""The public pages' routes: a plain blueprint, open to anyone (app/public/__init__.py).

Each answer is the same for every visitor: in the tenant's language, with an ETag of its
content and a lifetime any cache may honour, framed only by the sites the tenant names.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import format_date, gettext, lazy_gettext as _l

from app.extensions import db
from app.i18n import count_label, speaking
from app.security.hardening import content_security_policy
from app.tenancy.session import as_visitor
from app.models import Tenant
from app.validation import frame_origins, storable

from . import ical
from .published import Publisher, directory, planned_events, publisher

blueprint = Blueprint("public", __name__, url_prefix="/public")

CODE_LENGTH = Tenant.code.type.length
MAX_AGE = 300  # seconds a cache may serve a page without asking again
# One answer for an unknown code and for pages switched off: neither tells the other apart.
NOT_FOUND = _l("There is no such page: the address may be mistyped, or the library network "
               "does not publish its pages.")
WEB_LINK = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
E_MAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


@contextmanager
def published(code: str):
    """The publisher of `code`, read in a visitor's scope, its language spoken; 404 for a
    code no tenant publishes under."""
    if len(code) > CODE_LENGTH or not storable(code):  # no tenant's code: not asked of the database
        abort(404)
    with as_visitor(db.session, code) as tenant_id:
        if tenant_id is None:
            abort(404)
        home = publisher(db.session, tenant_id)
        with speaking(home.locale):
            yield home


@blueprint.get("/<code>/")
def libraries(code):
    with published(code) as home:
        body = render_template("public/libraries.html", home=home, groups=directory(db.session, home),
                               **_helpers())
    return _answer(body, "text/html", home)


@blueprint.get("/<code>/events")
def events(code):
    with published(code) as home:
        planned = planned_events(db.session, home)
        body = render_template("public/events.html", home=home, months=_by_month(planned),
                               organisations=len({e.organisation for e in planned}) > 1, **_helpers())
    return _answer(body, "text/html", home)


@blueprint.get("/<code>/events.json")
def events_json(code):
    with published(code) as home:
        body = json.dumps([{
            "id": e.id, "title": e.title, "date": e.day.isoformat(), "time": e.time,
            "form": e.form.name, "form_label": str(e.form),
            "library": {"id": e.library_id, "name": e.library, "address": e.address},
            "format": e.format.name, "format_label": str(e.format), "place": e.place,
            "link": web_link(e.link), "audience": e.audience.name if e.audience else None,
            "audience_label": str(e.audience) if e.audience else None,
        } for e in planned_events(db.session, home)], ensure_ascii=False, indent=1)
    return _answer(body, "application/json", home, shared=True)


@blueprint.get("/<code>/events.ics")
def events_ics(code):
    host = urlsplit(f"//{request.host}").hostname or "libnet"
    with published(code) as home:
        body = ical.calendar([{
            "uid": f"event-{e.id}@{host}", "sequence": e.sequence, "day": e.day, "time": e.time,
            "time_zone": e.time_zone, "summary": e.title, "location": _location(e),
            "description": _description(e), "url": web_link(e.link),
        } for e in planned_events(db.session, home)],
            name=gettext("%(organisation)s: events", organisation=home.name), language=home.locale)
    return _answer(body, "text/calendar", home, shared=True)


@blueprint.get("/")
@blueprint.get("/<path:anything>")
def nothing_else(anything=None):
    """Any other address under /public/: the same 404, counted against the same limit."""
    abort(404)


def error_page(code: int, message: str) -> str:
    """A refusal on a public page (app.errors): a visitor's page, in the request's language
    (the tenant's is not known, or not to be told)."""
    if code == 404:
        message = str(NOT_FOUND)
    return render_template("public/error.html", code=code, message=message)


def _answer(body: str, mimetype: str, home: Publisher, *, shared: bool = False):
    """The page as any cache may keep it: its ETag (304 when the client has it already),
    its lifetime, and the sites that may frame it. `shared`: a feed other sites' scripts
    may read (it holds nothing but what the page shows)."""
    response = make_response(body)
    response.content_type = f"{mimetype}; charset=utf-8"
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["Content-Security-Policy"] = content_security_policy(
        " ".join(["'self'", *framers(home.frame_origins)]))
    if shared:
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


def framers(text: str | None) -> list[str]:
    """The origins of the sites the tenant lets frame its pages; one that is not an origin
    (written past the forms' check) is left out rather than breaking the policy."""
    found = []
    for word in (text or "").split():
        try:
            found += frame_origins(word)
        except ValueError:
            current_app.logger.warning("public_frame_origins: %r is not an origin", word[:100])
    return found


# -- what the templates show ---------------------------------------------------------

def web_link(value: str | None) -> str | None:
    """A web address that may be a link (http or https), else None."""
    return value if value and WEB_LINK.fullmatch(value.strip()) else None


def _helpers() -> dict:
    return {"web_link": web_link, "mail_link": _mail_link, "phone_link": _phone_link,
            "count": lambda n: count_label(n, "library"),
            "day": lambda d: format_date(d, "d MMMM"), "weekday": lambda d: format_date(d, "EEEE"),
            "long_day": lambda d: format_date(d, "long")}


def _mail_link(value: str | None) -> str | None:
    return f"mailto:{value.strip()}" if value and E_MAIL.fullmatch(value.strip()) else None


def _phone_link(value: str | None) -> str | None:
    """tel: for one number ("+7 (48648) 2-12-47"); several in one field stay text."""
    if not value or re.search(r"[,;/]|\d\s{2,}\d", value):
        return None
    digits = re.sub(r"[^\d+]", "", value)
    return f"tel:{digits}" if 5 <= len(digits.lstrip("+")) <= 15 else None


def _by_month(events) -> list[tuple[str, list]]:
    """(month as a heading, its events), in order: "Март 2026"."""
    months: list[tuple[tuple[int, int], str, list]] = []
    for event in events:
        key = (event.day.year, event.day.month)
        if not months or months[-1][0] != key:
            label = format_date(event.day, "LLLL yyyy")
            months.append((key, label[:1].upper() + label[1:], []))
        months[-1][2].append(event)
    return [(label, items) for _key, label, items in months]


def _location(event) -> str:
    if event.format.name == "online":
        return gettext("Online")
    if event.place:
        return event.place
    return ", ".join(part for part in (event.library, event.address) if part)


def _description(event) -> str:
    lines = [str(event.form)]
    if event.audience:
        lines.append(f"{gettext('Audience')}: {event.audience}")
    lines.append(f"{gettext('Library')}: " + ", ".join(p for p in (event.library, event.address) if p))
    if web_link(event.link):
        lines.append(event.link)
    return "\n".join(lines)
