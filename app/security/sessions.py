"""Sessions and tokens end with the password.

Every account has a session epoch (`ab_user.session_epoch`, migration 0005): a password
change or reset, on whatever path (FAB's screens, its user API, the CLI), adds one to it
(the attribute event below). A login writes the epoch into the session cookie and into
every JWT it issues (access and refresh); each request compares the cookie's epoch with
the account's (the security manager's before_request, which loads the account anyway)
and each token's (the JWT user lookup), so an older session or token signs no one in.
The session that changed its own password is given the new epoch and stays signed in.

A cookie or token without an epoch dates from before the epoch existed: it counts as 0,
which is what every account had then.

The API's login and refresh (`SecurityApi`, FAB's, at /api/v1/security/) take exactly the
fields they document and answer every refusal as {"message": ..., "errors": {field: [...]}}
in the user's language; the login limits (app.security.limits) answer 429 before them.
"""
from flask import current_app, flash, g, has_request_context, jsonify, make_response, request, session
from flask_appbuilder.api import expose, safe
from flask_appbuilder.const import API_SECURITY_ACCESS_TOKEN_KEY, API_SECURITY_REFRESH_TOKEN_KEY
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_babel import gettext as _, lazy_gettext as _l
from flask_jwt_extended import (
    create_access_token, create_refresh_token, get_jwt, get_jwt_identity, verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user, logout_user
from jwt import PyJWTError
from marshmallow import ValidationError, validate
from sqlalchemy import event, inspect, select

from app.api.fields import Flag, StrictSchema, Text, field_errors

from .models import Account

EPOCH = "epoch"  # the session key and the JWT claim


def init_app(app) -> None:
    app.after_request(_renew_own_session)


@event.listens_for(Account.password, "set", active_history=True)
def _password_changed(target, value, oldvalue, _initiator):
    if value == oldvalue or not inspect(target).has_identity:
        return  # a new account has no sessions yet
    # Counted in SQL: two changes at once both count, and several sets in one flush once.
    target.session_epoch = Account.session_epoch + 1
    if has_request_context():
        g.setdefault("password_changed", set()).add(target.id)


def session_epoch(user) -> int:
    return user.session_epoch or 0


def start_session(user) -> None:
    """At login: the session belongs to the account's present epoch."""
    session[EPOCH] = session_epoch(user)


def end_outdated_session(user) -> bool:
    """Sign out a session of an older epoch; True when it was."""
    if not getattr(user, "is_authenticated", False) or \
            session.get(EPOCH, 0) == session_epoch(user):
        return False
    logout_user()  # the session's id is remembered as ended (app.security.hardening)
    if not request.path.startswith("/api/"):
        flash(_("Your password has been changed: sign in with the new one."), "warning")
    return True


def _renew_own_session(response):
    """The session that changed its own password keeps going under the new epoch."""
    changed = g.pop("password_changed", None)
    if changed and "_user_id" in session and current_user.is_authenticated \
            and current_user.id in changed:
        db_session = current_app.appbuilder.session
        try:  # what the database holds: not a change left unsaved, nor one rolled back
            with db_session.no_autoflush:
                session[EPOCH] = db_session.scalar(
                    select(Account.session_epoch).where(Account.id == current_user.id))
        except Exception as error:  # the session is signed out on its next request
            current_app.logger.warning("could not renew the session's epoch: %s", error)
    return response


# -- tokens --------------------------------------------------------------------

def token_claims(identity) -> dict:
    """The epoch a new token carries: the refresh token's own, when refreshing (it was
    checked a moment ago), else the epoch the login has just checked the password in."""
    try:
        presented = get_jwt()
    except RuntimeError:  # no token was verified in this request
        presented = {}
    if presented.get("type") == "refresh" and presented.get("sub") == str(identity):
        return {EPOCH: presented.get(EPOCH, 0)}
    user = g.get("login_user")
    if user is None or str(user.id) != str(identity):
        user = current_app.appbuilder.sm.get_user_by_id(int(identity))
    return {EPOCH: session_epoch(user)}


def token_is_current(user, jwt_data: dict) -> bool:
    return jwt_data.get(EPOCH, 0) == session_epoch(user)


# -- the API's login and refresh -------------------------------------------------

def refused(status: int, messages, message=None):
    """An answer in the one error shape: {"message": text, "errors": {field: [texts]}}."""
    body = {"message": str(message or _("Some fields are not filled in correctly."))}
    if messages:
        body["errors"] = field_errors(messages)
    return make_response(jsonify(body), status)


def _not_empty(value):
    if not value:
        raise ValidationError(_("This field cannot be empty."))
    return value


class Credentials(StrictSchema):
    # Any text is a user name or password that may be wrong: 401, not a bad request.
    username = Text(required=True, validate=_not_empty, said={"required": _l("Enter a user name.")})
    password = Text(required=True, validate=_not_empty, said={"required": _l("Enter the password.")})
    provider = Text(load_default="db", validate=validate.OneOf(["db"], error=_l("Not a valid choice.")))
    refresh = Flag(load_default=False)


def _unauthorized(message):
    response = make_response(jsonify(message=str(message)), 401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


class SecurityApi(FabSecurityApi):
    """FAB's login and refresh: strict about what they are sent, in the user's language,
    and documented as they answer."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Sign in: a JWT access token, and a refresh token when asked
        ---
        post:
          summary: Sign in
          description: >-
            Checks the user name (or e-mail address; case does not matter) and password.
            Failed attempts are limited per account and per client address
            (LOGIN_RATE_LIMIT, by default 10 a minute): the next one answers 429, even
            with the right password. A password change ends every token issued before it.
          security: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [username, password]
                  properties:
                    username:
                      description: The user name or e-mail address
                      type: string
                      minLength: 1
                      example: zal.director
                    password:
                      type: string
                      minLength: 1
                      format: password
                    provider:
                      description: The only provider is the service's own accounts
                      type: string
                      enum: [db]
                      default: db
                    refresh:
                      description: Also issue a refresh token (POST /api/v1/security/refresh)
                      type: boolean
                      default: false
          responses:
            200:
              description: Signed in
              content:
                application/json:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [access_token]
                    properties:
                      access_token:
                        description: "Send it as `Authorization: Bearer <token>`"
                        type: string
                      refresh_token:
                        description: Only when `refresh` was true
                        type: string
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            429:
              description: >-
                Too many failed sign-ins for this account or from this address
                (LOGIN_RATE_LIMIT): wait for the seconds in Retry-After
              headers:
                Retry-After:
                  description: Seconds to wait
                  schema:
                    type: integer
              content:
                application/json:
                  schema:
                    type: object
                    required: [message]
                    properties:
                      message:
                        type: string
        """
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            return refused(400, None, _("Send the user name and password as a JSON object."))
        try:
            sent = Credentials().load(body)
        except ValidationError as error:
            return refused(400, error.messages)
        user = self.appbuilder.sm.auth_user_db(sent["username"], sent["password"])
        if not user:
            return _unauthorized(_("Invalid login. Please try again."))
        tokens = {API_SECURITY_ACCESS_TOKEN_KEY: create_access_token(identity=str(user.id), fresh=True)}
        if sent["refresh"]:
            tokens[API_SECURITY_REFRESH_TOKEN_KEY] = create_refresh_token(identity=str(user.id))
        return self.response(200, **tokens)

    @expose("/refresh", methods=["POST"])
    @safe
    def refresh(self):
        """A new access token for a refresh token
        ---
        post:
          summary: Refresh the access token
          description: >-
            Send the refresh token of a login with `refresh: true` as
            `Authorization: Bearer <refresh token>`. A token issued before the user's
            password changed, or of a disabled account, is refused.
          security:
            - jwt_refresh: []
          responses:
            200:
              description: A new access token
              content:
                application/json:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [access_token]
                    properties:
                      access_token:
                        type: string
            401:
              $ref: '#/components/responses/401'
        """
        try:
            verify_jwt_in_request(refresh=True)  # the account, its epoch and active flag too
        except (JWTExtendedException, PyJWTError):
            return _unauthorized(_("Sign in again: the refresh token is missing, expired or no "
                                   "longer valid."))
        token = create_access_token(identity=get_jwt_identity(), fresh=False)
        return self.response(200, **{API_SECURITY_ACCESS_TOKEN_KEY: token})
