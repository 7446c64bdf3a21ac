"""Django settings, from environment variables only.

Safe defaults run the embedded demo (SQLite in a data folder); `SAIMA_MODE=production` refuses to
start with the demo secret or with `DEBUG` on. Every variable is read by a helper that fails loudly
on a value it cannot understand, and secrets may come from a file (`SECRET_KEY_FILE`).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_SECRET_KEY = "saima-demo-secret-key-never-use-in-production"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: use true or false")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: give a whole number") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r}: give a number of 0 or more")
    return value


def env_secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file NAME_FILE points at (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


MODE = env_str("SAIMA_MODE", "demo")
if MODE not in ("demo", "production"):
    raise ImproperlyConfigured(f"SAIMA_MODE={MODE!r}: use demo or production")
DEMO = MODE == "demo"

DATA_DIR = Path(env_str("SAIMA_DATA_DIR", str(Path.cwd() / "data")))
SECRET_KEY = env_secret("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEMO else "")

if not DEMO:
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("production needs its own SECRET_KEY (32 characters or more)")
    if DEBUG:
        raise ImproperlyConfigured("production refuses to start with DEBUG on")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("production needs ALLOWED_HOSTS")

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'saima.sqlite3'}"),
        conn_max_age=int(env_str("SAIMA_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database takes simultaneous writes: WAL lets readers go on while one writes;
    # IMMEDIATE takes the write lock when a transaction begins (a deferred transaction that reads
    # and then writes cannot wait for the lock and fails at once with "database is locked"); a
    # writer waits for the lock up to `timeout` seconds instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(env_str("SAIMA_SQLITE_TIMEOUT", "30")),
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"),
        }
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "saima.org",
    "saima.jobs",
    "saima.metrics",
    "saima.web",
    "saima.reporting",
    "saima.races",
    "saima.projects",
    "saima.supervision",
    "saima.bulletins",
    "saima.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "saima.common.middleware.StorableInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "saima.urls"
WSGI_APPLICATION = "saima.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The layout every page extends and the error pages, shared by all apps.
        "DIRS": [PACKAGE_DIR / "common" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saima.web.context.saima",
            ],
            "libraries": {"saima": "saima.common.templatetags.saima"},
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("SAIMA_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("SAIMA_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("SAIMA_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "common" / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SAIMA_SECURE_COOKIES", not DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# The cache: Redis through Django's own backend when several app servers must agree (REDIS_URL,
# e.g. redis://cache:6379/0); each process's memory otherwise (one server).
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("SAIMA_CACHE_PREFIX", "saima"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background jobs: Django's tasks API (the django-tasks backport) with its database backend, so a
# job is a row in the same database, survives a restart, and is run by `saima worker` processes on
# any machine that reaches the database. See docs/jobs.md.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
#: Jobs run by the web process itself, with no worker (the test suite; never in production).
SAIMA_JOBS_INLINE = env_bool("SAIMA_JOBS_INLINE", False)
#: A confirmed import of at least this many rows is saved by a background job.
SAIMA_IMPORT_JOB_ROWS = int(env_str("SAIMA_IMPORT_JOB_ROWS", "2000"))
#: A running job silent this long (seconds) is taken to have lost its worker and is started again.
SAIMA_JOB_STALE_SECONDS = int(env_str("SAIMA_JOB_STALE_SECONDS", "90"))
#: Periodic jobs the workers enqueue once a day (reminders, escalation); off unless set.
SAIMA_PERIODIC = env_list("SAIMA_PERIODIC", "")

EMAIL_BACKEND = env_str(
    "SAIMA_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SAIMA_LOG_LEVEL", "WARNING")},
}


# --- Security: login throttling, the Content-Security-Policy, HTTPS behind a proxy, limits -------
# (every variable is described in docs/deploy.md)

INSTALLED_APPS += ["axes"]
# The body-size backstop runs before anything reads a body; the throttling middleware last, as
# django-axes asks.
MIDDLEWARE.insert(1, "saima.common.security.UploadLimitMiddleware")
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "saima.common.security.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted per account and, separately, per address: either reaching the limit locks
# that account (from everywhere) or that address (for every account) for the cool-off time.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("SAIMA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SAIMA_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "saima.common.security.client_ip"
AXES_ENABLE_ADMIN = False  # the admin writes only through services; `saima manage axes_reset`
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
SAIMA_TRUSTED_PROXIES = env_int("SAIMA_TRUSTED_PROXIES", 0)

SAIMA_MAX_REQUEST_BYTES = env_int("SAIMA_MAX_REQUEST_BYTES", 64 * 1024 * 1024)
SAIMA_EVIDENCE_MAX_BYTES = env_int("SAIMA_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
SAIMA_EVIDENCE_QUOTA_BYTES = env_int("SAIMA_EVIDENCE_QUOTA_BYTES", 100 * 1024 * 1024)
SAIMA_OBJECTIONS_PER_RESULT = env_int("SAIMA_OBJECTIONS_PER_RESULT", 5)

# The pages run no inline script and load nothing from elsewhere; bars and the bulletin's layout
# set their widths in style attributes (style-src-attr), charts are drawn by scripts served here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", "")
if _proxy_header and len(_proxy_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER: give the header and its value, e.g. HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if _proxy_header else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Where uploaded files would live if a feature kept them outside the database (evidence, photos and
# bulletins are kept in it); `saima backup` archives this folder too.
MEDIA_ROOT = env_str("SAIMA_MEDIA_DIR", str(DATA_DIR / "media"))

# Outgoing mail (reminders) in production: the SMTP server and the sender.
EMAIL_HOST = env_str("SAIMA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SAIMA_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SAIMA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("SAIMA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SAIMA_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SAIMA_EMAIL_FROM", "saima@localhost")
