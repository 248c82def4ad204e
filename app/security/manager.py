"""The security manager: FAB's, with users attached to a node of the network and
every request's database session scoped to what its user may see."""
from types import SimpleNamespace

from flask import current_app, g
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.models import Library, Tenant
from app.tenancy.scope import EVERYTHING, NOTHING, scope_for
from app.tenancy.session import ORM_LAYER_KEY, set_scope
from app.validation import storable

from . import first_password, sessions
from .admin_views import GroupView, RoleView, in_words
from .models import Account, account_key
from .users import AccountApi, AdminAccountView
from .passwords import password_views
from .sessions import SecurityApi


class SecurityManager(FabSecurityManager):
    user_model = Account
    userdbmodelview = AdminAccountView  # user names unique whatever their case
    # Admin's screens in the user's language (app.security.admin_views). FAB's user
    # statistics draw with Google Charts from the internet: not on a closed network.
    userdbmodelview = in_words(userdbmodelview)
    rolemodelview, groupmodelview = RoleView, GroupView
    userstatschartview = None
    security_api = SecurityApi  # login and refresh, strict and in the user's language
    user_api = AccountApi
    resetmypasswordview, resetpasswordview = password_views()

    def register_views(self):
        """FAB's login, refresh and screens, and of its REST APIs the accounts API only.
        Roles and their permissions are the role table's (app.security.roles, synced at
        every start): FAB's role, permission, resource, permission-resource and group
        APIs would let the database drift from it, and rename a builtin role."""
        BaseSecurityManager.register_views(self)
        if current_app.config.get("FAB_ADD_SECURITY_API", False):
            self.appbuilder.add_api(self.user_api)
        # FAB's menu API serves the menu to FAB's React front end; the screens here draw
        # their menu on the server, so nothing calls it (FAB registers it right after this).
        current_app.config.setdefault("FAB_ADD_MENU_API", False)

    def create_db(self):
        """Alembic creates the tables (FAB_CREATE_DB is off); roles come from sync_roles()."""

    def sync_roles(self):
        """Create the roles of app.security.roles with their permissions, and Admin, Public."""
        BaseSecurityManager.create_db(self)

    def get_user_by_id(self, pk):
        """The user with what every request reads of it, in one query: its roles, and its
        node with the node's parent and children (its scope, app.tenancy.scope)."""
        node = joinedload(Account.tenant)
        library_node = joinedload(Account.library).joinedload(Library.tenant)
        return self.session.scalars(
            select(Account).where(Account.id == pk).options(
                joinedload(Account.roles), node.joinedload(Tenant.parent),
                node.joinedload(Tenant.children), library_node.joinedload(Tenant.parent))
        ).unique().one_or_none()

    def find_user(self, username=None, email=None):
        """The account whose user name (else e-mail) is this one, whatever its case and
        surrounding spaces: by the folded keys, which are unique (app.security.models)."""
        column, key = (Account.username_key, account_key(username)) if username else \
            (Account.email_key, account_key(email))
        if key is None or not storable(key):
            return None
        return self.session.scalars(select(Account).where(column == key)).one_or_none()

    def is_item_public(self, permission_name, view_name):
        # FAB reads the Public role's permissions from the database on every API call;
        # Public is a builtin role (app.security.roles), answered in memory.
        public = self.auth_role_public
        if public in self.builtin_roles:
            return self._has_access_builtin_roles(SimpleNamespace(name=public), permission_name, view_name)
        return super().is_item_public(permission_name, view_name)

    def get_user_roles(self, user):
        # A user's roles are the account's own: the scope (app.tenancy.scope) knows no
        # other, so FAB's group roles must not grant what the scope would not follow.
        return user.roles if user.is_authenticated else [self.get_public_role()]

    def _has_access_builtin_roles(self, role, permission_name, view_name):
        # Every role is builtin (app.security.roles) and fixed for the process's life,
        # so each answer is worked out once, not by regular expressions on every menu item.
        key = (role.name, permission_name, view_name)
        answer = self._builtin_answers.get(key)
        if answer is None:
            answer = self._builtin_answers[key] = super()._has_access_builtin_roles(
                role, permission_name, view_name)
        return answer

    @property
    def _builtin_answers(self) -> dict:
        return self.__dict__.setdefault("_builtin_answers_memo", {})

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        g.login_succeeded = user is not None  # others count against the login limits
        g.login_user = user  # its tokens carry its session epoch (app.security.sessions)
        return user

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)  # FAB's user lookup: load_user_jwt
        jwt_manager.additional_claims_loader(sessions.token_claims)
        return jwt_manager

    def load_user_jwt(self, _jwt_header, jwt_data):
        # FAB's, and a token of an older session epoch (a password changed since) is refused.
        user = self.load_user(jwt_data["sub"])
        if user and user.is_active and sessions.token_is_current(user, jwt_data):
            g.user = user
            return user
        return None

    def before_request(self):
        super().before_request()  # sets g.user from the session cookie
        session = self.appbuilder.session
        # The user and its part of the network are read with everything in view, then the
        # request's scope replaces that view (on PostgreSQL: one set_config each).
        scope, user = NOTHING, None
        set_scope(session, EVERYTHING)
        try:
            if sessions.end_outdated_session(g.user):  # the password changed since its login
                g.user = current_user
            user = self._request_user()
            scope = scope_for(session, user)
        finally:
            set_scope(session, scope)
        session.info[ORM_LAYER_KEY] = current_app.config["TENANCY_ORM_LAYER"]
        return first_password.stop(user)  # a password someone else gave: the user's own first

    @staticmethod
    def _request_user():
        """The signed-in user: from the session cookie, else from an API bearer token."""
        if getattr(g.user, "is_authenticated", False):
            return g.user
        try:
            verify_jwt_in_request(optional=True)
            return get_current_user()
        except Exception:  # an invalid token is the API's own 401 to give
            return None

