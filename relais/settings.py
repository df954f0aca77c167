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
    RELAIS_STATIC_ROOT  where `collectstatic` gathers the static files (default: staticfiles/ in the checkout)
    RELAIS_MEDIA_ROOT  where uploaded files are stored (default: var/media), outside the static root
    RELAIS_GEOCODER_URL  address of the Base Adresse Nationale geocoder used by `manage.py geocode_places`
                    (default: https://api-adresse.data.gouv.fr), e.g. a self-hosted addok
    RELAIS_GEOCODER  dotted path of the geocoder class (default: relais.places.geocoding.ban.BanGeocoder)
    RELAIS_CONTROLLER_NAME, RELAIS_DPO_CONTACT  the controller of the personal data and how to reach its DPO,
                    as the privacy notice (/confidentialite/) says them
    RELAIS_BACKUP_DIR  where `manage.py backup` writes backups by default and `backup --verify` records the
                    date of the last verification, verification.json (default: var/backups)
    RELAIS_BACKUP_KEY  encryption key of the backups, 32 random bytes in base64 (`manage.py backup
                    --generate-key`); read from the environment by backup/restore only, never stored with them
    RELAIS_BASE_URL  public address of the site (e.g. https://relais.example.org), for links in e-mails sent
                    by commands
    USE_X_FORWARDED_FOR  "1" behind a trusted reverse proxy (audit trail records the client address)
    SECURE_PROXY_SSL_HEADER  HTTP_X_FORWARDED_PROTO behind a reverse proxy that terminates TLS and always sets
                    that header (docs/exploitation.md); unset otherwise
    SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD
                    HTTPS redirect and HSTS, on by default in production (DEBUG off), each can be turned off
    AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES  lock-out after so many failed logins, for so long (5, 15)
    RELAIS_STAFF_IDLE_MINUTES  the team's sessions close after so many idle minutes (30)
    OTP_TOTP_ISSUER  the name TOTP applications show for the account (Relais)
    EMAIL_FILE_PATH  folder of django.core.mail.backends.filebased.EmailBackend
    EMAIL_BACKEND   Django e-mail backend (default: the console, e-mails are printed); for SMTP
                    django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
                    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS
    DEFAULT_FROM_EMAIL  sender of the e-mails (default: Relais <ne-pas-repondre@localhost>)
    RELAIS_ENV_FILE path of a file of such variables read at start-up (default: `.env` in the checkout,
                    written by `make install` for development with DEBUG on and a random secret); the
                    process environment always wins over it. A production server has no such file.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
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
TESTING = bool(os.environ.get("RELAIS_TESTING"))
# Production: at least 50 characters with some variety (what `check --deploy` asks, W009); e.g.
# `python -c "import secrets; print(secrets.token_urlsafe(50))"`.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-" + "x" * 32
    else:
        raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est désactivé.")
elif not DEBUG and not TESTING and (len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        f"SECRET_KEY est trop court : il faut au moins {SECRET_KEY_MIN_LENGTH} caractères variés "
        '(par exemple la sortie de « python -c "import secrets; print(secrets.token_urlsafe(50))" »).'
    )

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
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "django_otp.middleware.OTPMiddleware",
    "relais.accounts.two_factor.SecondFactorMiddleware",  # the team logs in with a second factor
    "relais.accounts.security.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # after authentication: turns a lock-out into its page
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
# ANSSI guidance: long passwords rather than composition rules, no forced rotation, and no password built on
# one of the most leaked ones (relais/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "relais.accounts.passwords.CommonBaseValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses any login attempt while locked out
    "relais.accounts.backends.UsernameOrEmailBackend",
]
# Lock-out (django-axes) on every login form — the site's, the admin's — and on failed API tokens
# (accounts/api_auth.py): after AXES_FAILURE_LIMIT failures for one identifier from one client address, that
# pair is refused for AXES_COOLOFF_MINUTES, with a French page (accounts/locked_out.html, answered 429). One
# address cannot lock a person out from elsewhere. Support staff unlock in the admin (« Tentatives d'accès »)
# or with `manage.py axes_reset_username <identifiant>`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "relais.accounts.security.lockout_response"
AXES_USERNAME_CALLABLE = "relais.accounts.security.axes_username"
AXES_CLIENT_IP_CALLABLE = "relais.accounts.security.client_ip"
AXES_VERBOSE = False
# The second factor (accounts/two_factor.py): TOTP applications show the account under this name.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Relais")
# Sessions: members stay logged in for two weeks; the accounts that reach other people's data are logged
# out after this many minutes without a request (accounts/security.py).
SESSION_COOKIE_AGE = 14 * 24 * 3600
RELAIS_STAFF_IDLE_MINUTES = int(os.environ.get("RELAIS_STAFF_IDLE_MINUTES", "30"))
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
STATIC_ROOT = Path(os.environ.get("RELAIS_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Front-end libraries installed from npm by `make install` (package.json, package-lock.json), served by the
# app under static/vendor/ (no CDN).
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/protomaps-leaflet", NODE_MODULES / "protomaps-leaflet" / "dist"),
]
# Uploaded files (documents, logos): outside the static root, never served directly, only through views that
# check permissions. var/ is not versioned.
MEDIA_ROOT = Path(os.environ.get("RELAIS_MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "/fichiers/"
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
# HTTPS in production (docs/exploitation.md): on by default when DEBUG is off, each one can be turned off by
# its variable (e.g. while a certificate is being set up). Behind a reverse proxy that terminates TLS, the
# proxy's header says the request came in HTTPS: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (only when the
# proxy always sets or removes it, never trusted otherwise).
_PRODUCTION = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _PRODUCTION else "0"))
# They concern the host name Relais is served on (e.g. relais.commune.fr) and its own subdomains only.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _PRODUCTION)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"].strip(), "https")
# The instance's own health check over plain HTTP from the machine itself (systemd, the proxy).
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]

# An operator-configured tile server (e.g. "https://tiles.example.org/{z}/{x}/{y}.png"); none by default,
# so that pages make no request to a third-party host.
TILE_URL = os.environ.get("TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("TILE_ATTRIBUTION", "")


def _origin(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# Content-Security-Policy (django-csp 4): everything from the instance itself, scripts only from its files or
# with the page's nonce (`{{ request.csp_nonce }}`), no third-party origin — except an operator's tile server.
# The widget's page lets any site frame it (places/territory_pages.py).
_TILE_ORIGINS = [origin for origin in [_origin(TILE_URL)] if origin]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_TILE_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# E-mails: printed on the console unless the operator configures a server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
if os.environ.get("EMAIL_FILE_PATH"):  # django.core.mail.backends.filebased.EmailBackend writes there
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
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

# Who answers for the personal data (the privacy notice, /confidentialite/): the operator and its DPO.
RELAIS_CONTROLLER_NAME = os.environ.get("RELAIS_CONTROLLER_NAME", "l'exploitant de ce site")
RELAIS_DPO_CONTACT = os.environ.get("RELAIS_DPO_CONTACT", DEFAULT_FROM_EMAIL)

# Where `manage.py backup` writes by default and `backup --verify` records the last verification
# (verification.json).
RELAIS_BACKUP_DIR = Path(os.environ.get("RELAIS_BACKUP_DIR") or BASE_DIR / "var" / "backups")

# Geocoding of addresses (`manage.py geocode_places`, never during a request): the Base Adresse Nationale.
RELAIS_GEOCODER = os.environ.get("RELAIS_GEOCODER", "relais.places.geocoding.ban.BanGeocoder")
RELAIS_GEOCODER_URL = os.environ.get("RELAIS_GEOCODER_URL", "https://api-adresse.data.gouv.fr").rstrip("/")

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
    # django-axes tells of every login at INFO; lock-outs are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
