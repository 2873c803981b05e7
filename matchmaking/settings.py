"""Kith settings: one module, configured from the environment (django-environ).

Development defaults apply only while DEBUG is on; production must set
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and EMAIL_URL. See README "Deployment".
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# DEBUG comes from the real environment only, never from a file: with it on, the demo's
# two-factor bypass code works, so a stray .env on a server must not be able to turn it on.
DEBUG = env.bool("DEBUG", default=False)
# A developer's own .env (git-ignored) is read only while DEBUG is on (`make demo` sets it):
# production never reads it. Variables already in the environment win over it.
if DEBUG and (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

# No production default. Without DEBUG and without SECRET_KEY, commands that sign nothing
# (makemigrations --check, migrate, check) still run; serving refuses to start
# (checks.refuse_to_serve_without_a_secret_key, called by wsgi.py and asgi.py), and
# anything else that signs gets Django's own ImproperlyConfigured.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

COUNCIL_NAME = env.str("COUNCIL_NAME", default="Riverside Borough Council")
COUNCIL_AREA = env.str("COUNCIL_AREA", default="Riverside")
SERVICE_NAME = env.str("SERVICE_NAME", default="Kith")
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="kith@riverside.example.org")
# Where to send someone whose postcode is outside the council's area.
OUTSIDE_AREA_URL = env.str("OUTSIDE_AREA_URL", default="https://www.gov.uk/find-local-council")
# Phone numbers: parsed as UK numbers, stored in E.164, shown in national format.
PHONENUMBER_DEFAULT_REGION = "GB"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"
# Links in emails are absolute; requests are not always at hand (tasks, commands).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "matchmaking.apps.KithAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_tasks",
    "django_tasks_db",  # tables for TASKS_BACKEND=django_tasks_db.DatabaseBackend
    "guardian",
    "auditlog",
    "phonenumber_field",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "services",
    "matchmaking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the language comes from the cookie, then
    # Accept-Language; AccountLanguageMiddleware (after auth) applies a signed-in person's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.languages.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "matchmaking.middleware.SessionLimitMiddleware",
    "matchmaking.middleware.SignedInPagesNotStoredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "matchmaking.urls"
WSGI_APPLICATION = "matchmaking.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "matchmaking.context_processors.council",
                "matchmaking.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "matchmaking.forms.GovukFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent
    # writers wait (busy timeout) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Opening a connection costs more than most pages' queries (SQLite runs its PRAGMAs each time).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Production needs a cache every worker shares (sign-in rate limits live in it): redis://
# (the `redis` extra) or dbcache://kith_cache (`manage.py createcachetable`). The deploy
# checks (matchmaking/checks.py) refuse a per-process one.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# With a cache every worker shares, sessions are read from it (no query per request) and the
# database row stays the record: cached_db writes and deletes both, so signing out, a new
# password and the 12-hour limit still end a session for every worker. A per-process cache
# would let one worker go on serving a session another had ended: the database alone then.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    in {"LocMemCache", "DummyCache", "FileBasedCache"}
    else "django.contrib.sessions.backends.cached_db"
)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
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

LANGUAGE_CODE = "en-gb"
# The public pages in English and Welsh; the admin stays in English (accounts.languages).
# Any other code (cookie, Accept-Language, the switch) falls back to English.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
# Ours (made by makemessages), then the Welsh for django-allauth's pages, which has none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "allauth"]
# A visitor's choice is kept for a year (a signed-in person's is on their account too).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Vetting documents (DBS certificates…): never under MEDIA_ROOT, never served as files; only
# through views that check who is asking (accounts.documents). Back it up with the database.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console while developing; production sets EMAIL_URL=smtp+tls://user:pass@host:587
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds to wait on the mail server: one that accepts and never answers must not hold a
# request or a task worker (a timed-out send is retried later, see accounts/tasks.py).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SERVICE_NAME} <{SUPPORT_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Inline by default (development, tests); production sets
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs `manage.py db_worker` (the deploy
# checks refuse the inline backend: it cannot retry an email while the mail server is down).
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- Text messages through GOV.UK Notify (off while NOTIFY_API_KEY is empty) ---
# A test key sends nothing, a team key texts only the team's own phones, a live key texts
# anyone (README "Text messages"). The base URL changes only for tests (a local fake Notify).
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# Templates held in Notify: one text template whose whole content is ((message)).
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
# Set to send notification emails through Notify too (a template of ((subject)) and
# ((body))); empty: they go through EMAIL_URL's mail server, as sign-in emails always do.
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
# The bearer token Notify sends with delivery receipts; without it receipts are refused.
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
NOTIFY_TIMEOUT = env.float("NOTIFY_TIMEOUT", default=10)
if NOTIFY_API_KEY and not NOTIFY_SMS_TEMPLATE_ID:
    raise ImproperlyConfigured("NOTIFY_API_KEY is set: set NOTIFY_SMS_TEMPLATE_ID too.")

# --- Matching ---
OFFER_EXPIRY_HOURS = env.int("OFFER_EXPIRY_HOURS", default=48)
# A match ends on its own after this many visits in a row did not happen (staff are told).
MISSED_VISITS_TO_END = env.int("MISSED_VISITS_TO_END", default=3)
# `manage.py bench web` turns on a view that renders a bare template, as its baseline.
BENCH_VIEWS = env.bool("KITH_BENCH_VIEWS", default=False)
# Rank a need against providers' facts kept in each process (matchmaking.provider_index),
# exact to the last committed change; off, every ranking reads them from the database.
PROVIDER_INDEX = env.bool("KITH_PROVIDER_INDEX", default=True)
# Closed needs are anonymised after this many days (manage.py apply_retention).
RETENTION_DAYS = env.int("RETENTION_DAYS", default=730)
# Finished background tasks keep what they were given (an email's address and text).
TASK_RESULT_RETENTION_DAYS = env.int("TASK_RESULT_RETENTION_DAYS", default=14)
# A check's documents are deleted this many days after staff verified or rejected it.
DOCUMENT_RETENTION_DAYS = env.int("DOCUMENT_RETENTION_DAYS", default=30)
# A DBS check on the Update Service is due another status check after this many days.
DBS_STATUS_CHECK_INTERVAL_DAYS = env.int("DBS_STATUS_CHECK_INTERVAL_DAYS", default=365)

# --- Accounts (django-allauth) ---
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up asks for names (GOV.UK names pattern); existing accounts without one are asked
# at their next sign-in (the adapter's login redirect).
ACCOUNT_FORMS = {"signup": "accounts.forms.NamesSignupForm"}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{COUNCIL_NAME}] "
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, spelled out so they are visibly on.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# Two-factor authentication: offered to everyone, required of staff before the admin.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME
if DEBUG:
    # Development and the demo only (allauth refuses it unless DEBUG): the demo's staff
    # sign in with this code instead of an authenticator app.
    MFA_TOTP_INSECURE_BYPASS_CODE = env.str("DEMO_TWO_FACTOR_CODE", default="000000")

# --- Object permissions (django-guardian) ---
# No anonymous user row: anonymous visitors are never granted object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Security: strict unless DEBUG or HTTPS=false (tests, plain-http local runs) ---
HTTPS = env.bool("HTTPS", default=not DEBUG)


def https_settings(https):
    """Settings that depend on serving over https (the security tests apply them too)."""
    return {
        "SECURE_SSL_REDIRECT": https,
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "LANGUAGE_COOKIE_SECURE": https,
        "SECURE_HSTS_SECONDS": env.int("SECURE_HSTS_SECONDS", default=31_536_000 if https else 0),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": https,
        "SECURE_HSTS_PRELOAD": https,
        # __Host- cookies are bound to this host and to https.
        "SESSION_COOKIE_NAME": "__Host-sessionid" if https else "sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken" if https else "csrftoken",
    }


globals().update(https_settings(HTTPS))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every script and stylesheet is a file of ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sessions: 30 minutes idle (renewed as people use the site, with a warning before it
# ends), 12 hours at most.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_MAX_SECONDS = env.int("SESSION_MAX_HOURS", default=12) * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per task state change is too chatty for INFO; failures still show.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}

# --- REST API (/api/v1/: Django REST framework, drf-spectacular) ---
# Days an API token works after it is made (then a 401 says to make a new one).
API_TOKEN_EXPIRY_DAYS = env.int("API_TOKEN_EXPIRY_DAYS", default=90)
REST_FRAMEWORK = {
    # Token first, so an anonymous caller gets 401 with "WWW-Authenticate: Token".
    # Session authentication enforces CSRF on writes, as the web forms do.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "matchmaking.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: a view that does not say what it needs serves nobody.
    "DEFAULT_PERMISSION_CLASSES": ["matchmaking.api.permissions.DenyAll"],
    # Rates are read from here on every request (tests override them), per signed-in
    # user and per anonymous IP address; None switches a scope off.
    "DEFAULT_THROTTLE_CLASSES": [
        "matchmaking.api.throttles.AnonThrottle",
        "matchmaking.api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
    },
    # Proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR only,
    # so a client cannot pick its own address to dodge the anonymous limit).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_PAGINATION_CLASS": "matchmaking.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["matchmaking.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "matchmaking.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "matchmaking.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SERVICE_NAME} API",
    "DESCRIPTION": (
        f"Request and offer help through {SERVICE_NAME}, run by {COUNCIL_NAME}. "
        "Authenticate with a token from your account page (header `Authorization: Token "
        "<key>`) or a signed-in session. Every list is paginated (`page`, `page_size` up to "
        "100). Errors are JSON: `detail` says what went wrong, `errors` names the fields."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProviderKindEnum": "accounts.constants.ProviderKind",
        "ProviderStatusEnum": "accounts.constants.ProviderStatus",
        "CheckKindEnum": "accounts.constants.CheckKind",
        "CheckStatusEnum": "accounts.constants.CheckStatus",
        "LanguageEnum": "accounts.constants.LANGUAGES",
        "NeedStatusEnum": "services.constants.NeedStatus",
        "OfferStatusEnum": "services.constants.OfferStatus",
        "ChannelEnum": "services.constants.Channel",
        "NewNeedChannelEnum": "matchmaking.api.serializers.needs.NEW_NEED_CHANNELS",
        "MatchStatusEnum": "matchmaking.constants.MatchStatus",
        "ConcernKindEnum": "matchmaking.constants.ConcernKind",
        "ConcernStatusEnum": "matchmaking.constants.ConcernStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "matchmaking.api.schema.forbid_unknown_request_fields",
    ],
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN. (No Redoc:
    # its page loads web fonts from Google.)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No online validator badge: the docs page never calls out to another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
