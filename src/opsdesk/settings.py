"""OpsDesk settings, read from the environment (12-factor).

Every value has a safe default for the embedded mode (`opsdesk serve`): a
SQLite file under ./var/, a secret key generated on first run and kept in
./var/secret_key. Production sets DATABASE_URL to PostgreSQL.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("OPSDESK_VAR_DIR", Path.cwd() / "var")).resolve()


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Translate DATABASE_URL (sqlite:///path or postgres://user:pw@host:port/name)."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//") or path.startswith("/"):
            path = path[1:]
        return sqlite_database(Path(path or VAR_DIR / "opsdesk.sqlite3"))
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or options.pop("host", "")),
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": envint("OPSDESK_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres://, got {parts.scheme!r}"
    )


def sqlite_database(path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue up
            # instead of one failing with "database is locked" mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": str(path.with_name(path.stem + "_test.sqlite3"))},
    }


def secret_key() -> str:
    key = os.environ.get("OPSDESK_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = secret_key()
DEBUG = envbool("OPSDESK_DEBUG", False)
ALLOWED_HOSTS = envlist("OPSDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("OPSDESK_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'opsdesk.sqlite3'}"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' scripts locally instead of from a CDN
    "opsdesk.core",
    "opsdesk.sla",
    "opsdesk.incidents",
    "opsdesk.mail",
    "opsdesk.alerts",
    "opsdesk.portal",
    "opsdesk.problems",
    "opsdesk.knowledge",
    "opsdesk.cmdb",
    "opsdesk.changes",
    "opsdesk.major",
    "opsdesk.calls",
    "opsdesk.reports",
    "opsdesk.imports",
    "opsdesk.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opsdesk.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "opsdesk.urls"
WSGI_APPLICATION = "opsdesk.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:queue"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

LANGUAGE_CODE = os.environ.get("OPSDESK_LANGUAGE", "zh-hans").lower()
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"OPSDESK_LANGUAGE must be zh-hans or en, got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("OPSDESK_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("OPSDESK_MEDIA_ROOT", VAR_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("OPSDESK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPSDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Largest file a user may attach to a record.
OPSDESK_MAX_ATTACHMENT_MB = envint("OPSDESK_MAX_ATTACHMENT_MB", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# How long an API Idempotency-Key is remembered.
OPSDESK_IDEMPOTENCY_HOURS = envint("OPSDESK_IDEMPOTENCY_HOURS", 24)

# --- E-mail and notifications (the outbox, core/outbox.py) ---
# Without a mail server configured (the embedded demo), mails are written as
# files to var/mail/ so they can be read, instead of failing against port 25.
EMAIL_BACKEND = os.environ.get(
    "OPSDESK_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("OPSDESK_EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("OPSDESK_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("OPSDESK_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("OPSDESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OPSDESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("OPSDESK_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = envbool("OPSDESK_EMAIL_SSL", False)
EMAIL_TIMEOUT = envint("OPSDESK_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("OPSDESK_EMAIL_FROM", "OpsDesk <opsdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Replies to notifications go here (the mailbox the mail intake polls), if set.
OPSDESK_EMAIL_REPLY_TO = os.environ.get("OPSDESK_EMAIL_REPLY_TO", "")
# The right-hand side of Message-IDs and thread ids; default: the From domain.
OPSDESK_EMAIL_DOMAIN = os.environ.get("OPSDESK_EMAIL_DOMAIN", "")
# Files attached to one notification mail (the monthly report's PDF and XLSX)
# up to this many bytes in total; larger ones are left out and the mail links them.
OPSDESK_MAIL_ATTACHMENT_MAX_BYTES = envint("OPSDESK_MAIL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Links in notifications point here.
OPSDESK_BASE_URL = os.environ.get("OPSDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Gateway and robot calls give up after this many seconds (and are retried).
OPSDESK_HTTP_TIMEOUT = envint("OPSDESK_HTTP_TIMEOUT", 10)
# Tries before a notification is dead; the pause doubles from 30 s up to an hour.
OPSDESK_NOTIFY_MAX_ATTEMPTS = envint("OPSDESK_NOTIFY_MAX_ATTEMPTS", 10)
# A worker that has not finished a send after this long is presumed dead and
# another worker sends again: keep it well above EMAIL_TIMEOUT.
OPSDESK_NOTIFY_LEASE_SECONDS = envint("OPSDESK_NOTIFY_LEASE_SECONDS", 300)
# `opsdesk check` fails when a notification has waited longer than this.
OPSDESK_CHECK_MAX_DELAY_MINUTES = envint("OPSDESK_CHECK_MAX_DELAY_MINUTES", 15)

# --- E-mail intake (opsdesk/mail) ---
# Mails one sender may have turned into tickets or comments per hour; more are kept unanswered.
OPSDESK_MAIL_RATE_PER_HOUR = envint("OPSDESK_MAIL_RATE_PER_HOUR", 20)
# Larger messages are recorded as rejected (headers kept) instead of stored whole.
OPSDESK_MAIL_MAX_MB = envint("OPSDESK_MAIL_MAX_MB", 30)
# Pause between IMAP polls of one mailbox, and messages taken per poll.
OPSDESK_MAIL_POLL_SECONDS = envint("OPSDESK_MAIL_POLL_SECONDS", 60)
OPSDESK_MAIL_POLL_BATCH = envint("OPSDESK_MAIL_POLL_BATCH", 20)
# A worker that holds a mailbox or a stored message this long is presumed
# dead, and another worker takes it over.
OPSDESK_MAIL_LEASE_SECONDS = envint("OPSDESK_MAIL_LEASE_SECONDS", 300)
# Tries to turn a stored message into a ticket before it is marked failed.
OPSDESK_MAIL_MAX_ATTEMPTS = envint("OPSDESK_MAIL_MAX_ATTEMPTS", 5)

# --- Self-service portal ---
# The satisfaction survey (INC-19) goes out this many hours after closure and
# is reminded once, this many days later if unanswered; both within a week.
OPSDESK_SURVEY_DELAY_HOURS = envint("OPSDESK_SURVEY_DELAY_HOURS", 2)
OPSDESK_SURVEY_REMINDER_DAYS = envint("OPSDESK_SURVEY_REMINDER_DAYS", 3)
if (OPSDESK_SURVEY_DELAY_HOURS < 0 or OPSDESK_SURVEY_REMINDER_DAYS < 1
        or OPSDESK_SURVEY_DELAY_HOURS + 24 * OPSDESK_SURVEY_REMINDER_DAYS >= 7 * 24):
    raise ImproperlyConfigured(
        "OPSDESK_SURVEY_DELAY_HOURS (≥ 0) plus OPSDESK_SURVEY_REMINDER_DAYS (≥ 1) must stay "
        "within one week of closure")
# An e-mailed sign-in link works once, for this many minutes.
OPSDESK_SIGNIN_LINK_MINUTES = envint("OPSDESK_SIGNIN_LINK_MINUTES", 15)

# --- Change management ---
# An emergency change carried out first (CHG-04) must be recorded within this
# many hours; the CAB approves a change with this many approvals.
OPSDESK_EMERGENCY_RECORD_HOURS = envint("OPSDESK_EMERGENCY_RECORD_HOURS", 24)
OPSDESK_CAB_QUORUM = envint("OPSDESK_CAB_QUORUM", 2)
if OPSDESK_EMERGENCY_RECORD_HOURS < 1 or OPSDESK_CAB_QUORUM < 1:
    raise ImproperlyConfigured(
        "OPSDESK_EMERGENCY_RECORD_HOURS and OPSDESK_CAB_QUORUM must be at least 1")
