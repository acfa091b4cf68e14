"""Django settings, all from the environment, with defaults that are safe on one machine.

JOINEDUP_DATABASE_URL   PostgreSQL (postgresql://user@host:port/name); unset: the SQLite
                        file <var>/joinedup.sqlite3 in WAL mode with synchronous=FULL
JOINEDUP_VAR_DIR        where the database, the secret key and collected static files live
                        (default: var/ at the project root)
JOINEDUP_SECRET_KEY     unset: a random key generated once and kept in <var>/secret_key
JOINEDUP_PSEUDONYMISATION_KEY  the key of the HMAC that replaces person ids in a
                        secondary-use extract (`joinedup extract`); unset: a random key
                        generated once and kept in <var>/pseudonymisation_key. Keep it as
                        safe as the database: with it, extracted ids can be re-identified;
                        change it and new extracts no longer link with earlier ones.
JOINEDUP_DEBUG          1/true to show debug pages (never in production)
JOINEDUP_ALLOWED_HOSTS  extra host names, comma-separated (127.0.0.1 and localhost always)
JOINEDUP_HTTPS          1/true when served over TLS: HSTS and redirects to https
JOINEDUP_BREAK_GLASS_HOURS  how long a break-glass opens a record (default 4)
JOINEDUP_SESSION_IDLE_MINUTES  a session unused this long is logged out (default 30)
JOINEDUP_LOGIN_THROTTLE_MINUTES  the window failed logins are counted over (default 15)
JOINEDUP_LOGIN_FAILURES_PER_USERNAME  failures in the window that stop logins to one
                        username (default 5)
JOINEDUP_LOGIN_FAILURES_PER_ADDRESS  failures in the window that stop logins from one
                        address (default 20)
JOINEDUP_BEHIND_PROXY   1/true only when a reverse proxy in front appends the client's
                        address to X-Forwarded-For (its last entry is then the address
                        logins are throttled by; otherwise the TCP peer, REMOTE_ADDR)
JOINEDUP_NOTIFY_BY_EMAIL  1/true to e-mail staff that a notification is waiting (never who
                        or what it is about: joinedup.notifications.by_email); off by default
JOINEDUP_SITE_URL       the address staff reach joinedup at, for the e-mail's link to the
                        notifications page (default http://127.0.0.1:8000)
JOINEDUP_EMAIL_HOST, JOINEDUP_EMAIL_PORT, JOINEDUP_EMAIL_HOST_USER,
JOINEDUP_EMAIL_HOST_PASSWORD, JOINEDUP_EMAIL_USE_TLS, JOINEDUP_DEFAULT_FROM_EMAIL
                        Django's mail settings of the same names, for that e-mail
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("JOINEDUP_VAR_DIR") or PROJECT_ROOT / "var").resolve()
NHSUK_FRONTEND_DIR = Path(
    os.environ.get("JOINEDUP_NHSUK_FRONTEND_DIR")
    or PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_key(variable: str, filename: str) -> str:
    """The environment's key, else one generated on first start and kept (mode 600) under var/.

    A constant in code would let anyone who reads the source forge sessions (the secret
    key) or re-identify pseudonymised extracts (the pseudonymisation key).
    """
    if key := os.environ.get(variable, "").strip():
        return key
    path = VAR_DIR / filename
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(50) + "\n")
    return path.read_text().strip()


SECRET_KEY = _kept_key("JOINEDUP_SECRET_KEY", "secret_key")
# Keys the HMAC of person ids in secondary-use extracts (joinedup.extract).
PSEUDONYMISATION_KEY = _kept_key("JOINEDUP_PSEUDONYMISATION_KEY", "pseudonymisation_key")
DEBUG = _flag("JOINEDUP_DEBUG")
HTTPS = _flag("JOINEDUP_HTTPS")
ALLOWED_HOSTS = [
    "127.0.0.1",
    "localhost",
    *(h.strip() for h in os.environ.get("JOINEDUP_ALLOWED_HOSTS", "").split(",") if h.strip()),
]

INSTALLED_APPS = [
    "joinedup.access.admin_site.AdminConfig",  # Django's admin, for system administrators
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "joinedup.record",
    "joinedup.access",
    "joinedup.notifications",
    "joinedup.people",
    "joinedup.referrals",
    "joinedup.tasks",
    "joinedup.mdt",
    "joinedup.careplans",
    "joinedup.teams",
    "joinedup.outcomes",
    "joinedup.casefinding",
    "joinedup.transfers",
    "joinedup.accounts",
    "joinedup.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files get the Content-Security-Policy too.
    "joinedup.access.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "joinedup.access.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a view's empty 405 first and draws its page for the logged-in user.
    "joinedup.web.error_pages.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "joinedup.urls"
WSGI_APPLICATION = "joinedup.wsgi.application"

TEMPLATES = [
    {
        # Staff pages: Jinja2 with the NHS.UK design system's macros (nhsuk-frontend-jinja).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "joinedup.web.environment.environment"},
    },
    {
        # Django's admin ships Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("JOINEDUP_DATABASE_URL", "").strip()
    if url:
        return {
            "default": dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "joinedup.sqlite3",
            # Keep each thread's connection between requests: opening one per request
            # cost ~5 ms, and closing the last one checkpoints the whole WAL.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # Run on every new connection: WAL lets pages read while a load writes;
                # synchronous=FULL makes a committed transaction survive a power cut; the
                # WAL is cut back to 64 MB after a checkpoint (connections are kept, so it
                # is not deleted between requests, and a load would leave it at its peak).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA journal_size_limit=67108864;"
                ),
                # Take the write lock at BEGIN so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # The test database is a file too (not :memory:), so tests run in WAL mode
            # like production; one per process, so parallel runs do not collide.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "login"

# Cookies: never readable by scripts, never sent cross-site, Secure always (browsers treat
# http://localhost and 127.0.0.1 as secure contexts, so the demo still works); a session
# lasts a working day from login at most (enforced by access/middleware.py, since Django's
# own expiry slides with every save), ends when the browser closes, and is logged out
# after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_IDLE_MINUTES = float(os.environ.get("JOINEDUP_SESSION_IDLE_MINUTES") or 30)
# Login throttling (access/throttle.py): this many failed logins within the window, for one
# username or from one address, and further logins are refused until the window passes.
LOGIN_THROTTLE_MINUTES = float(os.environ.get("JOINEDUP_LOGIN_THROTTLE_MINUTES") or 15)
LOGIN_THROTTLE_PER_USERNAME = int(os.environ.get("JOINEDUP_LOGIN_FAILURES_PER_USERNAME") or 5)
LOGIN_THROTTLE_PER_ADDRESS = int(os.environ.get("JOINEDUP_LOGIN_FAILURES_PER_ADDRESS") or 20)
BEHIND_PROXY = _flag("JOINEDUP_BEHIND_PROXY")
BREAK_GLASS_HOURS = float(os.environ.get("JOINEDUP_BREAK_GLASS_HOURS") or 4)
# Notifications by e-mail (joinedup.notifications.by_email): off unless asked for; the
# e-mail says only that a notification is waiting, with a link to SITE_URL's page.
NOTIFY_BY_EMAIL = _flag("JOINEDUP_NOTIFY_BY_EMAIL")
SITE_URL = os.environ.get("JOINEDUP_SITE_URL", "").strip() or "http://127.0.0.1:8000"
EMAIL_HOST = os.environ.get("JOINEDUP_EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = int(os.environ.get("JOINEDUP_EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("JOINEDUP_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JOINEDUP_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("JOINEDUP_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = (
    os.environ.get("JOINEDUP_DEFAULT_FROM_EMAIL", "").strip() or "joinedup@localhost"
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "joinedup.web.error_pages.csrf_failure"  # the layout, words that help
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One cache shared by every server process (gunicorn workers): aggregates such as the
# overview's are computed once, not once per worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: served by the app itself through whitenoise (no CDN), collected into
# var/static by `joinedup manage collectstatic`; the NHS.UK front end comes from npm's
# node_modules through joinedup.web.frontend_assets.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "joinedup.web.frontend_assets.NhsukFrontendFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # Edit-and-reload while developing: no collectstatic needed.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
