"""Which language a request speaks, and how dates, numbers and counts read in it.

The language: `?_l_=xx` for one request; else the signed-in user's own choice, kept on
their account; else their tenant's default; else the browser's Accept-Language; else
Russian. A visitor who is not signed in (the login page) follows the browser, or the
language picked from the menu in that browser session.
"""
import datetime
import functools

import re
from zoneinfo import ZoneInfo
from babel.numbers import format_decimal
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import format_date, get_locale, get_translations, gettext, ngettext
from flask_login import current_user
from sqlalchemy import Boolean, Date, Numeric, inspect, select, update

from app.extensions import db

CHOSEN = "locale_chosen"  # the pick of a visitor who is not signed in
# Babel's own short dates are 22.11.26 (ru) and 22.11.26 г. (bg); people here write the year in full.
DATE_PATTERNS = {"ru": "dd.MM.yyyy", "bg": "dd.MM.yyyy"}


def init_app(app) -> None:
    """Replace FAB's locale selector (URL argument, then session) with ours, and give
    the templates a gettext that finds the request's catalog once."""
    app.extensions["babel"].locale_selector = select_locale
    app.before_request(_before_request)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def translations():
    """The request's catalog. A page translates a few hundred strings, and Flask-Babel
    looks the catalog up anew for each; the language is settled before any is shown."""
    if not has_app_context():
        return get_translations()
    found = g.get("translations")
    if found is None:
        found = g.translations = get_translations()
    return found


def select_locale() -> str | None:
    if not has_request_context():
        return None  # outside a request: BABEL_DEFAULT_LOCALE
    languages = current_app.config["LANGUAGES"]
    return next((locale for locale in _candidates(languages) if locale in languages),
                current_app.config["BABEL_DEFAULT_LOCALE"])


def _candidates(languages):
    """The languages this request may speak, best first; each looked up only when needed."""
    yield request.args.get("_l_")
    if current_user.is_authenticated:
        yield current_user.locale
        yield tenant_locale(current_user)
    else:
        yield session.get(CHOSEN)
    yield request.accept_languages.best_match(list(languages))


def tenant_locale(account) -> str | None:
    """The default language of the account's tenant (of its library's, for branch staff).
    The rows were loaded with the user and its scope (app.security.manager), before
    this runs: reading them costs no query."""
    with db.session.no_autoflush:
        tenant = account.library.tenant if account.library_id is not None else account.tenant
    value = tenant.default_locale if tenant is not None else None
    return value.name if value is not None else None


def remember(locale: str) -> None:
    """Keep a language picked from the menu: on the account, else in the browser session."""
    if locale not in current_app.config["LANGUAGES"]:
        return  # FAB's view answers 404
    if current_user.is_authenticated:
        from app.security.models import Account

        db.session.execute(update(Account).where(Account.id == current_user.id).values(locale=locale))
        db.session.commit()
    else:
        session[CHOSEN] = locale


def _before_request() -> None:
    if request.endpoint == "LocaleView.index":  # FAB's /lang/<locale>
        remember(request.view_args["locale"])
    elif "_l_" not in request.args and not (request.endpoint or "").endswith("static"):
        # FAB's language menu shows the flag of session["locale"].
        locale = str(get_locale())
        if session.get("locale") != locale:
            session["locale"] = locale


# -- formats -------------------------------------------------------------------

def format_day(value: datetime.date | None) -> str:
    if value is None:
        return ""
    return format_date(value, DATE_PATTERNS.get(get_locale().language, "medium"))


def format_number(value) -> str:
    return "" if value is None else _decimal(value, str(get_locale()))
def format_moment(value: datetime.datetime | None, *, seconds: bool = False) -> str:
    """A moment stored in UTC, as the clock on the user's wall shows it: in the time zone
    of the user's region or district (UTC for an Admin, who belongs to none, said so)."""
    if value is None:
        return ""
    zone = user_time_zone()
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    local = value.astimezone(ZoneInfo(zone) if zone else datetime.timezone.utc)
    text = format_day(local.date()) + local.strftime(" %H:%M:%S" if seconds else " %H:%M")
    return text if zone else f"{text} UTC"


def user_time_zone() -> str | None:
    """The time zone of the signed-in user's organisation (its library's, for branch staff)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    with db.session.no_autoflush:
        tenant = current_user.library.tenant if current_user.library_id is not None else current_user.tenant
    return tenant.time_zone if tenant is not None else None




@functools.lru_cache(maxsize=8192)
def _decimal(value, locale: str) -> str:
    # A pure function of its arguments, and Babel's formatting is slow: a region's
    # dashboard prints a few thousand numbers, mostly the same small ones.
    return format_decimal(value, locale=locale)


def format_yes_no(value) -> str:
    return "" if value is None else gettext("Yes") if value else gettext("No")


def _blank(value):
    return "" if value is None else value


def formatters(model) -> dict:
    """Column -> formatter for the record screens: dates, decimals and yes/no in the user's
    locale, and an empty cell, not "None", for a missing value. (Whole numbers stay as they
    are: most of them are years.)"""
    out = {}
    for column in inspect(model).columns:
        if isinstance(column.type, Boolean):
            out[column.key] = format_yes_no
        elif isinstance(column.type, Date):
            out[column.key] = format_day
        elif isinstance(column.type, Numeric):
            out[column.key] = format_number
        elif column.nullable:
            out[column.key] = _blank
    for relation in inspect(model).relationships:
        out.setdefault(relation.key, _blank)
    return out


def count_label(n: int, kind: str) -> str:
    """A number of records of one kind (a table name), in the plural form the number
    takes: 1 клуб, 3 клуба, 15 клубов."""
    return {
        "tenant": ngettext("%(num)d organisation", "%(num)d organisations", n),
        "library": ngettext("%(num)d library", "%(num)d libraries", n),
        "staff": ngettext("%(num)d staff member", "%(num)d staff members", n),
        "club": ngettext("%(num)d club", "%(num)d clubs", n),
        "outreach": ngettext("%(num)d outreach point", "%(num)d outreach points", n),
        "contest": ngettext("%(num)d contest", "%(num)d contests", n),
        "contest_entry": ngettext("%(num)d contest entry", "%(num)d contest entries", n),
        "ab_user": ngettext("%(num)d user account", "%(num)d user accounts", n),
    }.get(kind) or f"{kind}: {n}"
