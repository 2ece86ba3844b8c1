"""Reachability checks for /healthz: each returns None when healthy, or what went wrong."""

from django.conf import settings
from django.db import DatabaseError, connection
from kombu import Connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"database unreachable: {exc.__class__.__name__}"
    return None


def check_broker(timeout: float = 2.0) -> str | None:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as broker:
            broker.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # kombu raises whatever its transport raises
        return f"broker unreachable: {exc.__class__.__name__}"
    return None


def run_checks() -> dict[str, str]:
    """Each configured dependency's state: "ok", "not configured", or the error."""
    results = {"database": check_database() or "ok"}
    if settings.CELERY_BROKER_URL:
        results["broker"] = check_broker() or "ok"
    else:
        results["broker"] = "not configured"
    return results
