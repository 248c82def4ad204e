"""Sessions, response headers and forms.

- CSRF: every state-changing form carries a token (Flask-WTF's CSRFProtect); FAB then
  refuses deletes and actions by GET. Its REST APIs exempt themselves (bearer tokens).
- Headers on every response: a Content-Security-Policy naming no outside host (scripts
  from this app, inline ones by nonce: FAB's templates ask `csp_nonce()`), no framing,
  nosniff, a referrer policy, and HSTS over HTTPS. The public pages (app/public) may be
  framed by the sites their tenant names, and set no cookie: the same page for everyone.
- The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS. A login starts a new
  session (nothing a visitor's session held survives it); a logout ends it for good: its
  id is remembered as ended, so a copy of the old cookie no longer signs anyone in. A
  password change ends every other session and token (app.security.sessions).
"""
import secrets

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import user_logged_in, user_logged_out
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits.storage import storage_from_string
from werkzeug.middleware.proxy_fix import ProxyFix

from app import errors
from app.public import is_public

from . import passwords

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors {frame_ancestors}")
NO_FRAMING = "'none'"
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}
HSTS = "max-age=31536000"
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")  # Flask-Login's


def init_app(app) -> None:
    """Before FAB starts: its APIs exempt themselves from a CSRFProtect that exists."""
    if app.config["WTF_CSRF_ENABLED"]:
        CSRFProtect(app)
        app.register_error_handler(CSRFError, _csrf_refused)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:  # behind that many proxies: the client's address and scheme are theirs to tell
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.session_interface = SessionInterface()
    app.extensions["ended_sessions"] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_forget_ended_session)
    app.after_request(_security_headers)
    user_logged_in.connect(_new_session, app)
    user_logged_out.connect(_end_session, app)
    passwords.init_app(app)
    from . import sessions

    sessions.init_app(app)


def csp_nonce() -> str:
    """This response's script nonce (FAB's baselib.get_nonce() asks for it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(frame_ancestors: str = NO_FRAMING) -> str:
    """This response's policy; `frame_ancestors`: who may show the page in a frame."""
    return CSP.format(nonce=csp_nonce(), frame_ancestors=frame_ancestors)


def _csrf_refused(error):
    return errors._page(error, _("This form has expired or did not come from this site: "
                                 "reload the page and try again."))


def _security_headers(response):
    policy = response.headers.setdefault("Content-Security-Policy", content_security_policy())
    for name, value in HEADERS.items():
        # X-Frame-Options is older browsers' frame-ancestors 'none' and cannot name a site:
        # a page whose own policy lets named sites frame it goes without it.
        if name == "X-Frame-Options" and f"frame-ancestors {NO_FRAMING}" not in policy:
            continue
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class NoSession(SecureCookieSession):
    """The session of a request for a public page: empty whatever cookie came, never sent."""


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS. The public pages
    neither read nor set it: any cache may keep them and hand them to anyone, so they are
    the same for a visitor and a signed-in user, and carry no one's cookie."""

    def get_cookie_secure(self, app):
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)

    def open_session(self, app, request):
        if is_public(request.path):
            return NoSession()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if isinstance(session, NoSession):
            return None
        return super().save_session(app, session, response)


def _ended_key(sid: str) -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}/ended-session/{sid}"


def _new_session(app, user, **_):
    from .sessions import start_session

    signed_in = {key: session[key] for key in LOGIN_KEYS if key in session}
    session.clear()
    session.update(signed_in, sid=secrets.token_urlsafe(16))
    start_session(user)  # ends with the password (app.security.sessions)


def _end_session(app, user, **_):
    sid = session.get("sid")
    if sid:
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        try:
            app.extensions["ended_sessions"].incr(_ended_key(sid), lifetime)
        except Exception as error:  # the store is down: the cookie is still cleared below
            app.logger.warning("could not record an ended session: %s", error)
    session.clear()


def _forget_ended_session():
    sid = session.get("sid")
    if not sid:
        return
    try:
        ended = current_app.extensions["ended_sessions"].get(_ended_key(sid)) > 0
    except Exception as error:
        current_app.logger.warning("could not check for an ended session: %s", error)
        return
    if ended:
        session.clear()
