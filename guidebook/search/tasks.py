"""Thin Celery wrappers (routed to the search queue by their "search." names). Both are
idempotent: they read the object's current state, so running one twice, or late, is harmless."""

from celery import shared_task

from . import services

RETRY = {
    "acks_late": True,
    # Backend errors (Solr down, a database write refused) retry; an unknown model does not.
    "autoretry_for": (Exception,),
    "dont_autoretry_for": (LookupError,),
    "retry_backoff": 2,  # 2 s, 4 s, 8 s ... with jitter, capped below
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="search.update_object", **RETRY)
def update_object(model_label: str, pk: int | str) -> str:
    return services.index_object(model_label=model_label, pk=pk)


@shared_task(name="search.remove_object", **RETRY)
def remove_object(model_label: str, pk: int | str) -> str:
    return services.unindex_object(model_label=model_label, pk=pk)


@shared_task(name="search.index_newly_due", **RETRY)
def index_newly_due(hours: int = 2) -> int:
    return services.index_newly_due(hours=hours)
