"""Production: everything from base.py, hardened, and refusing to start half-configured."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import INSECURE_DEV_SECRET_KEY, INSTALLED_APPS, MIDDLEWARE, env, without_debug_toolbar

DEBUG = False
DEBUG_TOOLBAR = False
INSTALLED_APPS, MIDDLEWARE = without_debug_toolbar(INSTALLED_APPS, MIDDLEWARE)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY == INSECURE_DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "You must set SECRET_KEY to a random value of at least 50 characters, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "You must set ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=guidebook.example.com"
    )
# The domain in reset e-mails, feeds and the sitemap: configuration, whatever DEBUG says.
SITE_DOMAIN = env("SITE_DOMAIN", default=ALLOWED_HOSTS[0])
if SITE_DOMAIN == "*" or SITE_DOMAIN.startswith("."):
    raise ImproperlyConfigured(
        f"You must set SITE_DOMAIN (the site's own host name, e.g. guidebook.example.com): the "
        f"first of ALLOWED_HOSTS, {SITE_DOMAIN!r}, is a pattern, not a domain"
    )
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]
)

# The platform's router appends the client's address to X-Forwarded-For (one trusted hop).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
# The platform's router terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the platform's health probe speaks plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405

# ------------------------------------------------------------------------------ one machine's disk
# Each Procfile process runs on its own machine with its own disk (docs/deploy.md): a file one
# process writes there, the others never see, and the platform deletes it at the next restart.
# So production keeps no state on the local disk unless SINGLE_MACHINE=true says that every
# process runs on one machine whose disk lasts; the embedded defaults never silently apply here.
SINGLE_MACHINE = env.bool("SINGLE_MACHINE", default=False)
# No REDIS_URL: base.py's local-memory cache, one per process.
PER_PROCESS_CACHE = CACHES["default"]["BACKEND"].endswith("LocMemCache")  # noqa: F405


def state_on_local_disk() -> list[str]:
    """What would keep users' data on this machine's disk, each with what to set instead."""
    problems = []
    if STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":  # noqa: F405
        problems.append(
            "media would be stored on this machine's disk (MEDIA_ROOT): set "
            "AWS_STORAGE_BUCKET_NAME to an S3 bucket (and AWS_S3_ENDPOINT_URL for an "
            "S3-compatible store)"
        )
    if PER_PROCESS_CACHE:
        problems.append(
            "the cache (the page cache's versions, with which an edit empties every web "
            "process's cached pages) would be in each process's own memory: set REDIS_URL to a "
            "Redis server, e.g. redis://host:6379/0"
        )
    if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
        problems.append(
            "the database (and with it the search index) would be a SQLite file on this "
            "machine's disk: set DATABASE_URL to a PostgreSQL database, e.g. "
            "postgres://user:password@host:5432/guidebook"
        )
    return problems


if not SINGLE_MACHINE and (problems := state_on_local_disk()):
    raise ImproperlyConfigured(
        "Production keeps no state on one machine's disk or in one process's memory, but "
        + "; and ".join(problems)
        + ". If every process really runs on this one machine, with a disk that lasts, set "
        "SINGLE_MACHINE=true."
    )

if SINGLE_MACHINE and PER_PROCESS_CACHE:
    # One machine without Redis: a cache on its disk is still one cache for all its processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("CACHE_DIR", default=str(BASE_DIR / "cache")),  # noqa: F405
        }
    }
