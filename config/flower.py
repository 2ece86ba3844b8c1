"""Flower, Celery's monitoring UI, with every page behind its basic auth.

Flower checks credentials on its UI and API but not on /metrics and /healthcheck, which tell
anyone the workers' and tasks' names and counts. This launcher swaps those two handlers, in
Flower's own URL table, for ones that require the same login, then runs `celery flower`.

    python -m config.flower --port=5555 --basic-auth=user:password [other flower options]
"""

import sys

import tornado.web
from flower import urls
from flower.views import monitor


class AuthenticatedMetrics(monitor.Metrics):
    @tornado.web.authenticated
    async def get(self):
        await super().get()


class AuthenticatedHealthcheck(monitor.Healthcheck):
    @tornado.web.authenticated
    async def get(self):
        await super().get()


REPLACEMENTS = {
    monitor.Metrics: AuthenticatedMetrics,
    monitor.Healthcheck: AuthenticatedHealthcheck,
}


def require_login_everywhere() -> None:
    replaced = 0
    for index, entry in enumerate(urls.handlers):
        if isinstance(entry, tuple) and entry[1] in REPLACEMENTS:
            urls.handlers[index] = (entry[0], REPLACEMENTS[entry[1]], *entry[2:])
            replaced += 1
    if replaced != len(REPLACEMENTS):
        raise SystemExit(
            "flower: cannot put /metrics and /healthcheck behind the login: Flower's URL table "
            "has changed; check config/flower.py against this Flower version"
        )


def main() -> None:
    require_login_everywhere()
    from celery.bin.celery import main as celery

    sys.argv = ["celery", "--app", "config", "flower", *sys.argv[1:]]
    celery()


if __name__ == "__main__":
    main()
