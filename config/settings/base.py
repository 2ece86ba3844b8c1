"""Settings for every environment, read from environment variables.

The defaults are the embedded profile a newcomer gets from `make run`: SQLite, media on the local
disk, a local-memory cache, e-mail printed to the console and Celery tasks run in-process. Every
variable is listed in docs/configuration.md; production.py hardens these for a real deployment.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is a convenience for `honcho start`; real deployments use the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------ core
DEBUG = env.bool("DEBUG", default=True)
# Only for the embedded profile: production.py refuses to start with this value.
INSECURE_DEV_SECRET_KEY = "django-insecure-guidebook-local-development-only"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
# Rotating the key: move the old one here so that sessions and signed URLs survive the change.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django.contrib.sites backs flatpages, sitemaps, feeds and reset e-mails: every migrate (each
# release) sets the Site row's domain to this (guidebook/core/signal_handlers.py).
# production.py defaults it to the first of ALLOWED_HOSTS.
SITE_ID = 1
SITE_DOMAIN = env("SITE_DOMAIN", default="localhost:8000")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.admindocs",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles so that `runserver` serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
]
THIRD_PARTY_APPS = [
    "axes",
    "csp",
    "django_celery_beat",
    "django_celery_results",
    "haystack",
    "tinymce",
]
# Order matters for `seed_demo`, which loads each app's demo content in this order.
LOCAL_APPS = [
    "guidebook.core",
    "guidebook.accounts",
    "guidebook.images",
    "guidebook.guides",
    "guidebook.pages",
    "guidebook.polls",
    "guidebook.events",
    "guidebook.jobs",
    "guidebook.search",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First, so that it compresses the response every other middleware has finished (headers,
    # cookies: the CSRF cookie is how it knows a page holds a token). docs/deploy.md, BREACH.
    "guidebook.core.compression.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "guidebook.core.csp.CSPMiddleware",  # django-csp's, with the policy built once
    "django.contrib.admindocs.middleware.XViewMiddleware",
    # Serves /about/ and the other flatpages, only when no URL pattern answered (a 404).
    "guidebook.pages.middleware.CachedFlatpageFallbackMiddleware",
    # Last, as django-axes asks: it turns a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# ------------------------------------------------------------------------------ data
DATABASES = {
    # Unset or empty: the embedded SQLite file.
    "default": env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A reused connection is checked (SELECT 1) before a request's first query: a connection the
# server or the network dropped meanwhile is replaced instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)

# The cache holds the page cache's entries and its topics' versions (guidebook/core/caching.py),
# and with Redis the sessions: every process must see the same one (production refuses less).
if env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "guidebook.core.cache.RedisCache",  # Django's, one client per server
            "LOCATION": env("REDIS_URL"),
        }
    }
    # Read from Redis, written through to the database: a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------ accounts
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the signed-in user read from the cache on each request.
    "guidebook.accounts.backends.CachedModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: 5 failures for one username from one address locks that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many proxies in front of the site append to X-Forwarded-For (the platform's router: 1, the
# production default). The client's address, for lockouts, is the entry the first of them
# appended (guidebook/core/client_address.py); 0 means REMOTE_ADDR, for a site with no proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "guidebook.core.client_address.client_address"

# The external public-profile service; {handle} is replaced by the profile's handle.
PROFILE_SERVICE_URL = env("PROFILE_SERVICE_URL", default="https://api.github.com/users/{handle}")
# Where the service's avatar images live: the CSP lets profile pages show them.
PROFILE_AVATAR_ORIGINS = env.list(
    "PROFILE_AVATAR_ORIGINS", default=["https://avatars.githubusercontent.com"]
)

# ------------------------------------------------------------------------------ e-mail
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587; the default prints to the console.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Guidebook <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ------------------------------------------------------------------------------ static and media
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root by whitenoise, where browsers look for them: /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "public"
# FileSystemStorage's URLs point at the images app's checked view (images:media), never at
# MEDIA_ROOT itself: a private file must not have an unsigned URL.
MEDIA_URL = "/images/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=3600)
AWS_DEBUG = env.bool("AWS_DEBUG", default=False)

if AWS_STORAGE_BUCKET_NAME:
    # Credentials come from boto3's own chain (environment, config files, instance role).
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": AWS_QUERYSTRING_EXPIRE,
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ------------------------------------------------------------------------------ images
IMAGE_MAX_UPLOAD_BYTES = env.int("IMAGE_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=50_000_000)
# How long a signed URL for a private image on the local disk stays valid (S3 uses
# AWS_QUERYSTRING_EXPIRE, and so do we by default).
IMAGE_SIGNED_URL_EXPIRE = env.int("IMAGE_SIGNED_URL_EXPIRE", default=AWS_QUERYSTRING_EXPIRE)
# Files older than this that no row references are deleted by the reaper.
IMAGE_ORPHAN_GRACE_HOURS = env.int("IMAGE_ORPHAN_GRACE_HOURS", default=24)
# With S3, the upload page sends files from the browser straight to the bucket (presigned POSTs
# under incoming/; the bucket needs the CORS rule in docs/deploy.md); false sends them through
# the web process as without S3.
IMAGE_DIRECT_UPLOADS = env.bool("IMAGE_DIRECT_UPLOADS", default=True)
# Seconds a presigned POST may be started in after the page asked for it.
IMAGE_DIRECT_UPLOAD_EXPIRE = env.int("IMAGE_DIRECT_UPLOAD_EXPIRE", default=900)
# Files under incoming/ older than this, and keys issued this long ago but never confirmed,
# are deleted by the reaper: the browser has long finished sending, the worker checking.
IMAGE_INCOMING_GRACE_HOURS = env.int("IMAGE_INCOMING_GRACE_HOURS", default=6)
# Uploads always stream to a temporary file, never whole into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# ------------------------------------------------------------------------------ search
# database:// (the default): the index lives in DATABASES["default"], as SQLite FTS5 or
# PostgreSQL full-text search, shared by every process. solr://host:8983/solr/core (solrs:// for
# HTTPS): Solr, for scale-out. docs/search.md explains both.
SEARCH_URL = env("SEARCH_URL", default="database://")
SEARCH_SCHEME, _, SEARCH_LOCATION = SEARCH_URL.partition("://")
# SILENTLY_FAIL off: a failed index write raises (the signal processor logs it and queues a
# retry; Solr's tasks retry); the search page catches failed queries itself and says so.
SEARCH_CONNECTIONS = {
    "database": {"ENGINE": "guidebook.search.backends.DatabaseEngine"},
    "solr": {"ENGINE": "guidebook.search.backends.SolrEngine", "URL": f"http://{SEARCH_LOCATION}"},
    "solrs": {
        "ENGINE": "guidebook.search.backends.SolrEngine",
        "URL": f"https://{SEARCH_LOCATION}",
    },
}
# The database index is written in the content's own transaction; Solr through the search queue
# once the content commits.
SEARCH_SIGNAL_PROCESSORS = {
    "database": "guidebook.search.signals.TransactionalSignalProcessor",
    "solr": "guidebook.search.signals.QueuedSignalProcessor",
    "solrs": "guidebook.search.signals.QueuedSignalProcessor",
}
if SEARCH_SCHEME not in SEARCH_CONNECTIONS:
    raise ImproperlyConfigured(
        f"SEARCH_URL={SEARCH_URL!r}: use database:// (or leave it unset) for the index in the "
        "database, or solr://host:8983/solr/core for Solr. "
        + (
            "The Whoosh index on disk no longer exists: unset SEARCH_URL, run migrate, then "
            "manage.py rebuild_search_index --noinput."
            if SEARCH_SCHEME == "whoosh"
            else ""
        )
    )
HAYSTACK_CONNECTIONS = {
    "default": {
        **SEARCH_CONNECTIONS[SEARCH_SCHEME],
        "INCLUDE_SPELLING": True,
        "TIMEOUT": 10,
        "SILENTLY_FAIL": False,
    }
}
HAYSTACK_SIGNAL_PROCESSOR = SEARCH_SIGNAL_PROCESSORS[SEARCH_SCHEME]
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# ------------------------------------------------------------------------------ rich text
# Guides and pages: TinyMCE in the admin, served from our own static files (no CDN; TinyMCE 7
# is GPL-2.0-or-later, see docs/rich-text.md). Whatever the editor sends is cleaned with nh3
# when saved (guidebook/core/sanitize.py): this toolbar only decides what is convenient to write.
TINYMCE_JS_URL = f"{STATIC_URL}tinymce/tinymce.min.js"
TINYMCE_COMPRESSOR = False
TINYMCE_DEFAULT_CONFIG = {
    "height": 480,
    "menubar": False,
    "promotion": False,
    "branding": False,
    "license_key": "gpl",
    "browser_spellcheck": True,
    "plugins": "autolink,lists,link,image,table,code,wordcount",
    "toolbar": "undo redo | blocks | bold italic underline strikethrough | bullist numlist "
    "blockquote | link image table | removeformat code",
    "block_formats": "Paragraph=p; Heading 2=h2; Heading 3=h3; Heading 4=h4; Preformatted=pre",
    # Keep what the editor writes inside what the server keeps.
    "invalid_elements": "script,style,iframe,object,embed,svg,math,form,input",
    "relative_urls": False,
    "convert_urls": True,
}

# ------------------------------------------------------------------------------ Celery
# Without a broker the embedded profile runs tasks in-process; with one, a worker runs them.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_STORE_EAGER_RESULT = True  # so the jobs page works in the embedded profile too
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
# Kept for the jobs page; the weekly "celery.backend_cleanup" job deletes older results.
CELERY_RESULT_EXPIRES = timedelta(days=30)
CELERY_CACHE_BACKEND = "default"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TRACK_STARTED = True
# A task is acknowledged after it ran, and re-queued if its worker dies: every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The task exchange and queues are built from this in config/celery.py. Empty in production; a
# test run sets its own, so that it never shares queues with another run or a developer's worker.
TASK_QUEUE_SUFFIX = env("TASK_QUEUE_SUFFIX", default="")

# ------------------------------------------------------------------------------ events
# Domain events go through the outbox to this durable topic exchange on the Celery broker.
EVENTS_BROKER_URL = env("EVENTS_BROKER_URL", default=CELERY_BROKER_URL)
EVENTS_EXCHANGE = env("EVENTS_EXCHANGE", default="guidebook.events")

# ------------------------------------------------------------------------------ security
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # our forms read it from the cookie only through Django's tag
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

CSP_IMG_SOURCES = [SELF, "data:", *PROFILE_AVATAR_ORIGINS]
if AWS_STORAGE_BUCKET_NAME:
    CSP_IMG_SOURCES.append(AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Django's admin sets a few inline style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": CSP_IMG_SOURCES,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# ------------------------------------------------------------------------------ logging
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# host:port (UDP) or a socket path such as /dev/log; unset means stdout only.
SYSLOG_ADDRESS = env("SYSLOG_ADDRESS", default="")
LOG_HANDLERS = ["stdout", "syslog"] if SYSLOG_ADDRESS else ["stdout"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "guidebook.core.logging.JsonLineFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
        "syslog": {"()": "guidebook.core.logging.syslog_handler", "formatter": "json"},
    },
    "root": {"handlers": LOG_HANDLERS, "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": LOG_HANDLERS, "level": LOG_LEVEL, "propagate": False},
        "botocore": {"level": "DEBUG" if AWS_DEBUG else "WARNING"},
        "boto3": {"level": "DEBUG" if AWS_DEBUG else "WARNING"},
    },
}
if not SYSLOG_ADDRESS:
    del LOGGING["handlers"]["syslog"]


# ------------------------------------------------------------------------------ local comfort
def without_debug_toolbar(apps: list[str], middleware: list[str]) -> tuple[list, list]:
    """production.py and test.py take the toolbar out whatever DEBUG said here."""
    return (
        [app for app in apps if app != "debug_toolbar"],
        [m for m in middleware if not m.startswith("debug_toolbar.")],
    )


DEBUG_TOOLBAR = DEBUG and env.bool("DEBUG_TOOLBAR", default=True)
if DEBUG_TOOLBAR:
    INSTALLED_APPS += ["debug_toolbar"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("guidebook.core.csp.CSPMiddleware"),
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    INTERNAL_IPS = ["127.0.0.1", "::1"]
    DEBUG_TOOLBAR_CONFIG = {"SHOW_COLLAPSED": True}
