"""Which language a request speaks, and how dates, numbers and counts read in it.

The language: `?_l_=xx` for one request; else the signed-in user's own choice, kept on
their account; else their tenant's default; else the browser's Accept-Language; else
Russian. A visitor who is not signed in (the login page) follows the browser, or the
language picked from the menu in that browser session. Under /api/, an Accept-Language
that names one of our languages comes before the account's (an integrator's explicit
wish), and a bearer token's account counts as signed in, also when the token is refused
(expired, ended by a new password): the refusal is said in its language.
"""
import datetime
import decimal
import functools
import re
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from babel import dates
from babel.dates import get_date_format
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import force_locale, format_date, get_locale, get_translations, gettext
from flask_login import current_user
from sqlalchemy import Boolean, Date, Numeric, inspect, select, update
from werkzeug.datastructures import LanguageAccept

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


@contextmanager
def speaking(locale: str):
    """A block of the request said in `locale`, whatever language the request chose: a
    tenant's public pages speak the tenant's language to every visitor (app/public)."""
    chosen = g.pop("translations", None)  # the request's catalog, found once (translations())
    try:
        with force_locale(locale):
            yield
    finally:
        g.pop("translations", None)
        if chosen is not None:
            g.translations = chosen


def select_locale() -> str | None:
    if not has_request_context():
        return None  # outside a request: BABEL_DEFAULT_LOCALE
    languages = current_app.config["LANGUAGES"]
    return next((locale for locale in _candidates(languages) if locale in languages),
                current_app.config["BABEL_DEFAULT_LOCALE"])


def _candidates(languages):
    """The languages this request may speak, best first; each looked up only when needed."""
    yield request.args.get("_l_")
    api = request.path.startswith("/api/")
    if api:
        named = [(value, quality) for value, quality in request.accept_languages if value != "*"]
        yield LanguageAccept(named).best_match(list(languages))
    account = _signed_in()
    if account is not None:
        yield account.locale
        yield tenant_locale(account)
    else:
        if api:
            yield from _token_languages()
        yield session.get(CHOSEN)
    yield request.accept_languages.best_match(list(languages))


def _signed_in():
    """The account of the session cookie, else of the API's bearer token (the security
    manager's hook has checked it when this runs, app.security.manager)."""
    for user in (current_user, g.get("user")):
        if getattr(user, "is_authenticated", False):
            return user
    return None


def _token_languages():
    """(the account's language, its tenant's) of the account a bearer token names, when
    the request has not signed it in: the body was refused before that, or the token was
    (expired, ended). Its signature is checked, its expiry not: the token is ours."""
    from flask_jwt_extended import decode_token
    from sqlalchemy import func
    from sqlalchemy.exc import SQLAlchemyError

    from app.models import Library, Tenant
    from app.security.models import Account
    from app.tenancy.session import unrestricted

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ()
    try:
        account_id = int(decode_token(token.strip(), allow_expired=True)["sub"])
    except Exception:  # not a token of ours: nobody's language to speak
        return ()
    node = func.coalesce(select(Library.tenant_id).where(Library.id == Account.library_id)
                         .scalar_subquery(), Account.tenant_id)
    try:
        with unrestricted(db.session):  # two values, read before the request's scope is set
            row = db.session.execute(select(Account.locale, Tenant.default_locale)
                                     .outerjoin(Tenant, Tenant.id == node)
                                     .where(Account.id == account_id)).first()
    except SQLAlchemyError:  # the database's fault is answered on its own (app.faults)
        db.session.rollback()
        return ()
    if row is None:
        return ()
    return row[0], row[1].name if row[1] is not None else None


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
    elif "_l_" not in request.args and not (request.endpoint or "").endswith("static") \
            and not request.path.startswith("/api/"):  # an API answer draws no menu, sets no cookie
        # FAB's language menu shows the flag of session["locale"].
        locale = str(get_locale())
        if session.get("locale") != locale:
            session["locale"] = locale


# -- formats -------------------------------------------------------------------

def format_day(value: datetime.date | None) -> str:
    if value is None:
        return ""
    return _day(value, get_locale())


@functools.lru_cache(maxsize=4096)
def _day(value: datetime.date, locale) -> str:
    """A day as `locale` writes it, kept: a list writes the same days on every page."""
    return dates.format_date(value, DATE_PATTERNS.get(locale.language, "medium"), locale=locale)


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


def format_number(value, locale: str | None = None) -> str:
    """A number as the user's language writes it; `locale`, where a caller formats many at
    once, saves reading the user's locale for each (a national table has thousands)."""
    return "" if value is None else _decimal(value, locale or str(get_locale()))


@functools.lru_cache(maxsize=8192)
def _decimal(value, locale: str) -> str:
    # A pure function of its arguments, and Babel's formatting is slow: a region's
    # dashboard prints a few thousand numbers, mostly the same small ones.
    return format_decimal(value, locale=locale)


# -- what a form shows and reads ---------------------------------------------------
# A form shows a value the way the lists do, and reads it back written that way or the
# universal way (2019-03-15, 0.5): what the user copies from a list is accepted as is.

def date_pattern() -> str:
    """The pattern (Unicode LDML) of a day typed in a form: ours for ru and bg, else
    Babel's short one with the year in full (M/d/yyyy in English)."""
    locale = get_locale()
    return DATE_PATTERNS.get(locale.language) or re.sub(r"y+", "yyyy", get_date_format("short", locale).pattern)


def _date_tokens(pattern: str):
    """(kind, text) pieces of an LDML pattern: ("field", "dd") or ("literal", ".")."""
    pieces = re.finditer(r"'(?P<quoted>[^']*)'|(?P<field>([A-Za-z])\3*)|(?P<literal>[^A-Za-z'])", pattern)
    for piece in pieces:
        if piece["field"]:
            yield "field", piece["field"]
        else:
            yield "literal", piece["quoted"] if piece["quoted"] is not None else piece["literal"]


def form_day(value: datetime.date | None) -> str:
    """A day as a form shows it (the list's pattern: 25.10.2017 in ru and bg)."""
    return "" if value is None else format_date(value, date_pattern())


def parse_day(text: str) -> datetime.date:
    """A day typed in a form: in the user's pattern or as ISO 8601 (2019-03-15).
    ValueError when it is neither; NoSuchDay when it is written right but the calendar
    has no such day (31.02.2019)."""
    text = text.strip()
    found = re.fullmatch(r"(?P<y>\d{4})-(?P<M>\d{1,2})-(?P<d>\d{1,2})", text) \
        or re.fullmatch(_day_regex(date_pattern()), text)
    if not found:
        raise ValueError(text)
    try:
        return datetime.date(int(found["y"]), int(found["M"]), int(found["d"]))
    except ValueError:
        raise NoSuchDay(text) from None


class NoSuchDay(ValueError):
    """A date written in the right pattern that is not in the calendar."""


@functools.lru_cache(maxsize=16)
def _day_regex(pattern: str) -> str:
    out = []
    for kind, text in _date_tokens(pattern):
        if kind == "literal":
            out.append(r"\s*" if text.isspace() else re.escape(text))
        elif text[0] in "dMy" and (text[0] != "M" or len(text) <= 2):
            out.append(rf"(?P<{text[0]}>\d{{4}})" if text[0] == "y" else rf"(?P<{text[0]}>\d{{1,2}})")
        else:
            return r"(?!)"  # a pattern with month names or eras: only ISO is read
    return "".join(out)


def date_hint() -> str:
    """The pattern as people write it down: ДД.ММ.ГГГГ (ru, bg), M/D/YYYY (en)."""
    pattern = date_pattern()
    if pattern == "dd.MM.yyyy":
        return gettext("DD.MM.YYYY")  # in the letters of the user's words for day, month, year
    return "".join(text.upper() if kind == "field" else text
                   for kind, text in _date_tokens(pattern))


def picker_format() -> str:
    """The pattern in the notation of the date picker (bootstrap-datepicker: dd.mm.yyyy)."""
    notation = {"d": "d", "M": "m", "y": "y"}
    return "".join(notation.get(text[0], "") * len(text) if kind == "field" else text
                   for kind, text in _date_tokens(date_pattern()))


def form_number(value) -> str:
    """A decimal as a form shows it: as the lists do (0,75 in ru and bg), every digit kept."""
    return "" if value is None else format_decimal(value, locale=get_locale(), decimal_quantization=False)


def parse_number(text: str) -> decimal.Decimal:
    """A decimal typed in a form: with the user's decimal sign or a point (0,5 or 0.5),
    digits grouped with the locale's group sign if wanted. ValueError for anything else,
    NaN and infinities included (0,5 in English, where the comma groups thousands)."""
    locale = get_locale()
    point, group = get_decimal_symbol(locale), get_group_symbol(locale)
    group = r"[\s\u00a0\u202f]" if group.isspace() else re.escape(group)  # ru, bg: a space of any width
    text = text.strip()
    grouped = re.fullmatch(rf"([+-]?\d{{1,3}}(?:{group}\d{{3}})+)((?:{re.escape(point)}|\.)\d+)?", text)
    if grouped:
        text = re.sub(group, "", grouped[1]) + (grouped[2] or "")
    if point != "." and "." not in text:
        text = text.replace(point, ".", 1)
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(text)
    return decimal.Decimal(text)


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
        out.setdefault(relation.key, _listed if relation.uselist else _blank)
    return out


def _listed(rows) -> str:
    """Records of a to-many relation, by their names: "Бортновская…, Грачевская…"."""
    return ", ".join(str(row) for row in rows or ())


def count_label(n: int, kind: str) -> str:
    """A number of records of one kind (a table name), in the plural form the number
    takes: 1 клуб, 3 клуба, 15 клубов (each record type declares its forms, app/records)."""
    from app.records import record_types

    for t in record_types().values():
        if kind in (t.name, t.table) and t.count is not None:
            return t.count(n)
    return f"{kind}: {n}"
