"""Tests: base.py with a fast hasher, e-mail kept in memory and media in a temporary folder.

DATABASE_URL and CELERY_BROKER_URL come from the environment as everywhere else: .ci/run points
them at the machine's PostgreSQL and RabbitMQ, and tests that need those services skip (or, under
CI=true, fail) when they are not configured.
"""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, MIDDLEWARE, without_debug_toolbar

DEBUG = False
DEBUG_TOOLBAR = False
INSTALLED_APPS, MIDDLEWARE = without_debug_toolbar(INSTALLED_APPS, MIDDLEWARE)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="guidebook-test-media-")
# Tests must not depend on a manifest built by collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {**LOGGING, "root": {"handlers": ["stdout"], "level": "WARNING"}}  # noqa: F405
LOGGING["loggers"] = {**LOGGING["loggers"], "django": {"level": "WARNING"}}
STATIC_ROOT = tempfile.mkdtemp(prefix="guidebook-test-static-")

# Several test runs may share one PostgreSQL and one RabbitMQ (CI, a developer, a benchmark): each
# run gets its own test database and its own queues, which RabbitMQ drops ten minutes after use.
# Worker subprocesses started by tests inherit the run's name through the environment.
RUN_SUFFIX = os.environ.setdefault("GUIDEBOOK_TEST_RUN", f".test-{os.getpid()}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["TEST"] = {"NAME": f"test_guidebook{RUN_SUFFIX.replace('.test-', '_')}"}
TASK_QUEUE_SUFFIX = RUN_SUFFIX
EVENTS_EXCHANGE = f"guidebook.events{RUN_SUFFIX}"
