"""gunicorn settings for the `web` process; every value can be overridden from the environment."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Heroku-style platforms set WEB_CONCURRENCY to what the dyno's memory allows.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Load the application once, in the arbiter, and fork workers from it: a new worker then costs a
# fork instead of importing Django and the apps again (docs/deploy.md, "Web workers").
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("true", "1")
# Recycle workers now and then so that a slow leak can never take the site down; rarely enough
# that the restarts cost nothing measurable (docs/deploy.md has the figures).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The platform's router is the only client; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# Heartbeat files in memory: a slow disk must not make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Access log as one JSON object a line, like the application's own logs. The query string and
# user agent are left out: gunicorn does not escape quotes in them.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s"}'
)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    """Move everything the worker has loaded (Django, the apps, the search schema) out of the
    garbage collector's sight: a full collection then walks only what requests created, which
    took the search page's slowest queries from about 20 to 13 ms (docs/benchmarks.md)."""
    import gc

    gc.collect()
    gc.freeze()
