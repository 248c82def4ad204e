"""The security manager: FAB's, with users attached to a node of the network and
every request's database session scoped to what its user may see."""
from flask import current_app, g
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_jwt_extended import get_current_user, verify_jwt_in_request

from app.tenancy.scope import scope_for
from app.tenancy.session import ORM_LAYER_KEY, set_scope, unrestricted

from .models import Account


class SecurityManager(FabSecurityManager):
    user_model = Account

    def create_db(self):
        """Alembic creates the tables (FAB_CREATE_DB is off); roles come from sync_roles()."""

    def sync_roles(self):
        """Create the roles of app.security.roles with their permissions, and Admin, Public."""
        BaseSecurityManager.create_db(self)

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        g.login_succeeded = user is not None  # others count against the login limits
        return user

    def before_request(self):
        super().before_request()  # sets g.user from the session cookie
        session = self.appbuilder.session
        with unrestricted(session):
            scope = scope_for(session, self._request_user())
        set_scope(session, scope)
        session.info[ORM_LAYER_KEY] = current_app.config["TENANCY_ORM_LAYER"]

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
