"""The project-wide test harness: real services over real connections.

Each service-backed fixture checks its service first. Locally, a missing service skips the test
with a reason that says how to provide it; under CI=true it fails the test instead, so that CI can
never pass by skipping.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
ROOT = Path(__file__).resolve().parent
# Screenshots go to build/ so that a test run leaves the checkout clean; `make screenshots` points
# this at docs/screenshots to refresh the ones the README shows.
SCREENSHOTS = Path(os.environ.get("GUIDEBOOK_SCREENSHOTS") or ROOT / "build" / "screenshots")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without these flags Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def service_unavailable(reason: str) -> None:
    """Skip the current test locally; fail it under CI, where every service is mandatory."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true makes service-backed tests mandatory)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            service_unavailable(
                "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/guidebook"
            )


# ------------------------------------------------------------------------------ Celery
@pytest.fixture(autouse=True)
def _empty_cache():
    """No cached page, topic version or session outlives its test (the database is rolled back
    under them)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(edit, *args, **kwargs)` runs `edit`, then what its transaction would do on
    commit (the test's own transaction never commits): the cache invalidations, say."""

    def run(edit, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return edit(*args, **kwargs)

    return run


@pytest.fixture
def later(monkeypatch):
    """`later(seconds)` moves the page cache's clock (core/caching.now) on."""
    from guidebook.core import caching

    offset = [0.0]
    real = caching.now
    monkeypatch.setattr(caching, "now", lambda: real() + offset[0])

    def move(seconds: float) -> None:
        offset[0] += seconds

    return move


@pytest.fixture(scope="session")
def rabbitmq_url():
    """CELERY_BROKER_URL, once RabbitMQ has answered on it."""
    from django.conf import settings
    from kombu import Connection

    if not settings.CELERY_BROKER_URL:
        service_unavailable(
            "needs RabbitMQ: set CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//"
        )
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        service_unavailable(f"RabbitMQ at CELERY_BROKER_URL is unreachable: {exc}")
    return settings.CELERY_BROKER_URL


# ------------------------------------------------------------------------------ Redis
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url():
    """REDIS_URL (else the local default), once Redis has answered on it."""
    import redis

    url = os.environ.get("REDIS_URL") or REDIS_DEFAULT
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        service_unavailable(f"needs Redis: set REDIS_URL={REDIS_DEFAULT} ({url}: {exc})")
    return url


@pytest.fixture
def redis_cache(settings, redis_url):
    """The production cache backend on the real Redis, under a key prefix of this test's own."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "guidebook.core.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    from django.core.cache import cache

    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(scope="session")
def celery_session_worker(rabbitmq_url, django_db_setup, django_db_blocker):
    """A real Celery worker (threads in this process) consuming our queues on RabbitMQ."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.loader.import_task_module("celery.contrib.testing.tasks")  # the ping check's task
    with django_db_blocker.unblock():
        app.control.purge()  # messages left by an earlier, interrupted run
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            loglevel="WARNING",
            perform_ping_check=True,
            shutdown_timeout=20,
        ) as worker:
            yield worker


@pytest.fixture
def celery_worker(celery_session_worker, transactional_db):
    """Use with tests that queue tasks: the worker sees committed rows only."""
    return celery_session_worker


# ------------------------------------------------------------------------------ S3 (moto)
@pytest.fixture(scope="session")
def moto_s3_endpoint():
    """moto's standalone server, in its own process, on a free loopback port."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        service_unavailable("needs moto's server: pip install 'moto[server]'")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_port(port, timeout=30):
            service_unavailable(f"moto's S3 server did not start on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_bucket(moto_s3_endpoint, monkeypatch):
    """A fresh bucket on the moto server; boto3 gets test credentials from the environment."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"guidebook-test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(s3_bucket, moto_s3_endpoint, settings):
    """Media storage switched to django-storages' S3Storage on the moto bucket, as production
    configures it through STORAGES["default"]["OPTIONS"]."""
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": moto_s3_endpoint,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": settings.AWS_QUERYSTRING_EXPIRE,
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    yield storages["default"]


# ------------------------------------------------------------------------------ browser
@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright's Python API."""
    if not Path(CHROMIUM).exists():
        service_unavailable(f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (not by the live server) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot of the page (or of another one, `of=`) as <name>.png in
    SCREENSHOTS and return its path."""

    def take(name: str, *, of=None, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=full_page)
        return path

    return take
