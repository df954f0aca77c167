"""Relais settings: one module, driven by environment variables with production-safe defaults.

Environment variables:
    SECRET_KEY      required when DEBUG is off (a random key is generated in DEBUG only)
    DEBUG           "1"/"true" to enable debug mode (off by default; `make run` turns it on)
    ALLOWED_HOSTS   comma-separated host names (default: localhost names only)
    DATABASE_URL    e.g. postgres://postgres@127.0.0.1:5432/test (default: SQLite file db.sqlite3)
    TILE_URL        URL template of an operator-configured tile server (none by default)
    TILE_ATTRIBUTION  attribution text of that tile server
    RELAIS_BASEMAP_PATH  vector PMTiles basemap drawn when TILE_URL is empty (default: var/basemap.pmtiles,
                    written by `manage.py build_basemap`); may point to a full extract, e.g. Protomaps' France
    RELAIS_BASE_URL  public address of the site (e.g. https://relais.example.org), for links in e-mails sent
                    by commands
    USE_X_FORWARDED_FOR  "1" behind a trusted reverse proxy (audit trail records the client address)
    EMAIL_BACKEND   Django e-mail backend (default: the console, e-mails are printed); for SMTP
                    django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
                    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS
    DEFAULT_FROM_EMAIL  sender of the e-mails (default: Relais <ne-pas-repondre@localhost>)
    RELAIS_ENV_FILE path of a file of such variables read at start-up (default: `.env` in the checkout,
                    written by `make install` for development with DEBUG on and a random secret); the
                    process environment always wins over it. A production server has no such file.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A development checkout's own settings (`make install` writes them), so that `pytest` and `manage.py` work
# there without exporting anything. Variables already in the environment are never overridden.
load_dotenv(os.environ.get("RELAIS_ENV_FILE") or BASE_DIR / ".env", override=False)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("RELAIS_TESTING"):
        SECRET_KEY = "insecure-development-key-" + "x" * 32
    else:
        raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est désactivé.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind a reverse proxy that sets X-Forwarded-For, the audit trail records the client address it gives.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "relais.core",
    "relais.territory",
    "relais.accounts",
    "relais.places",
    "relais.privacy",
    "relais.coverage",
    "relais.members",
    "relais.spaces",
    "relais.api",
    "relais.site",  # the top layer: home page, whole demo (docs/architecture.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "relais.urls"
WSGI_APPLICATION = "relais.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "relais" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relais.core.context_processors.maps",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so that
    # concurrent writers queue instead of failing with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# ANSSI guidance: long passwords rather than composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["relais.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "relais" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries installed from npm by `make install` (package.json, package-lock.json), served by the
# app under static/vendor/ (no CDN).
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/protomaps-leaflet", NODE_MODULES / "protomaps-leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or os.environ.get("RELAIS_TESTING")
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Without collectstatic (development, tests), whitenoise serves the apps' static folders directly.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG or bool(os.environ.get("RELAIS_TESTING"))

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# An operator-configured tile server (e.g. "https://tiles.example.org/{z}/{x}/{y}.png"); none by default,
# so that pages make no request to a third-party host.
TILE_URL = os.environ.get("TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("TILE_ATTRIBUTION", "")
# E-mails: printed on the console unless the operator configures a server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relais <ne-pas-repondre@localhost>")

# The site's public address, for links in e-mails sent outside a request (reminders).
RELAIS_BASE_URL = os.environ.get("RELAIS_BASE_URL", "").rstrip("/")

# Background tasks (booking e-mails): queued in the database and run by `manage.py db_worker`, no extra
# server. RELAIS_TASKS_BACKEND may name another backend, e.g. django_tasks.backends.immediate.ImmediateBackend
# to run them at once in the process that enqueues them (the tests do).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("RELAIS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Territory pages and widget: a place "serves" a territory when it lies in it or within this many
# kilometres (great-circle) of the commune's centre, or of any commune of a département or région.
TERRITORY_SERVING_RADIUS_KM = float(os.environ.get("TERRITORY_SERVING_RADIUS_KM", "10"))

# Where the reference data shipped with Relais lives (vendored, see data/README.md).
RELAIS_DATA_DIR = BASE_DIR / "data"

# The default basemap: a vector PMTiles file served by Relais itself at /carte/fond.pmtiles (HTTP range
# requests) and drawn with protomaps-leaflet when no TILE_URL is configured. `manage.py build_basemap`
# writes it from the territory tables (`make run` does when it is missing); an operator may point this to a
# full extract (e.g. a Protomaps build of France). var/ is not versioned.
RELAIS_BASEMAP_PATH = Path(os.environ.get("RELAIS_BASEMAP_PATH") or BASE_DIR / "var" / "basemap.pmtiles")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
