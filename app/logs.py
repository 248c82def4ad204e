"""The log without Flask-AppBuilder's advice for other setups.

Each message dropped here is one exact FAB message that says nothing true about this
service; every other warning, FAB's included, still reaches the log. (FAB's other start-up
warnings are fixed where they arise: app.security.admin_views, app.reports.views.)
"""
import logging

from flask import has_request_context, request
from flask_appbuilder.const import LOGMSG_WAR_SEC_NO_USER

NO_SAFE_REDIRECT = "Invalid redirect detected, falling back to index"


class FrameworkNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == LOGMSG_WAR_SEC_NO_USER:
            # Accounts come from `flask users add` and the demo, not `flask fab create-admin`;
            # the roles are set up before the first account, on every first start.
            return False
        if record.msg == NO_SAFE_REDIRECT and has_request_context() and not request.args.get("next"):
            return False  # a sign-in that asked for no page: nothing was refused
        return True


LOGGERS = ("flask_appbuilder.security.manager", "flask_appbuilder.utils.base")


def init_app(app) -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, FrameworkNoise) for f in logger.filters):  # once per process
            logger.addFilter(FrameworkNoise())
