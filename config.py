"""Settings from the environment, with safe defaults for the embedded SQLite database."""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(value: str) -> str:
    # Accept the usual postgres:// and postgresql:// spellings; psycopg 3 is the driver.
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = database_url(
    os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'libnet.db'}")
)
# Migrations run as the owner of the tables; the service itself may connect as a
# role that does not own them (row-level security applies to it).
MIGRATION_DATABASE_URL = database_url(
    os.environ.get("MIGRATION_DATABASE_URL", SQLALCHEMY_DATABASE_URI)
)
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

APP_NAME = os.environ.get("APP_NAME", "Libnet")
APP_THEME = ""
FAB_BASE_TEMPLATE = "libnet/base.html"  # FAB's frame plus the app's own scripts
FAB_SECURITY_MANAGER_CLASS = "app.security.manager.SecurityManager"
FAB_ADD_SECURITY_API = True
FAB_API_SWAGGER_UI = True
FAB_ADD_OPENAPI_VIEWS = False  # app.api.document registers its own: each caller's operations
FAB_UPDATE_PERMS = True
FAB_API_MAX_PAGE_SIZE = 100

AUTH_TYPE = 1  # database authentication
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
WTF_CSRF_ENABLED = True

BABEL_DEFAULT_LOCALE = "ru"
BABEL_DEFAULT_FOLDER = "translations"
# Catalogs merge in order, a later one winning for a message present in several: FAB's
# own (FAB puts it first), then the framework strings FAB lacks, then the app's own.
BABEL_TRANSLATION_DIRECTORIES = ";".join(
    str(BASE_DIR / "translations" / part) for part in ("framework", "")
)
LANGUAGES = {
    "ru": {"flag": "ru", "name": "Русский"},
    "bg": {"flag": "bg", "name": "Български"},
    "en": {"flag": "gb", "name": "English"},
}

# The largest request body: a record's form or JSON is a few kilobytes (text columns hold
# at most 10,000 characters, app.validation); a larger body is 413. A form or API that takes
# a file (app.attachments) takes that much more.
MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024))
# Files attached to records (app.attachments): the largest, and where they are kept.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", str(INSTANCE_DIR / "attachments"))
# The largest spreadsheet an import takes (app/imports): its upload alone may be this large.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))

# E-mail to the people a report waits for (app/mail.py): none while MAIL_SERVER is unset.
MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"  # STARTTLS
MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"  # SMTP over TLS (port 465)
MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "libnet@localhost")
MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 10))  # seconds an SMTP server may take to answer

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Secure also on any request that came over HTTPS (app/security/hardening.py).
SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"

# Behind a reverse proxy: how many proxies to trust for the client's address and scheme
# (X-Forwarded-For, -Proto, -Host). 0 trusts none: the headers are ignored.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# Failed logins per client address and per user name, on the form and the API (app/security/limits.py).
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
# Requests per client address to the public pages (app/public), which anyone may open.
PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "120 per minute")
# memory:// counts in one process; several gunicorn workers need a shared store: redis://host:6379/0.
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "libnet")
RATELIMIT_ENABLED = True  # FAB turns Flask-Limiter off unless told
RATELIMIT_STRATEGY = "moving-window"
RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # the store down: count in memory meanwhile
