"""Keeping the index in step with the database, and answering the search page.

index_object and unindex_object are what the queued tasks call: both are idempotent, so a
late-acknowledged task may run twice.
"""

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from haystack import connection_router, connections
from haystack.query import SearchQuerySet

from guidebook.core.caching import invalidate

from .results import Hit, page_hits

logger = logging.getLogger(__name__)
# The cached search pages' own topic (core/caching.py), for writes to the index that do not
# happen in the content's transaction (Solr's queued updates, rebuilds).
SEARCH_TOPIC = "search"

KINDS = {"guide": "Guides", "page": "Pages", "image": "Images", "poll": "Polls"}
FACETS = ("kind", "category", "tags")
MAX_QUERY_CHARS = 200
PER_PAGE = 20


# ------------------------------------------------------------------------------ indexing
def index_object(*, model_label: str, pk: int | str) -> str:
    """Index the object, or remove its document when it is no longer searchable (deleted,
    unpublished, made private): its index's index_queryset() decides."""
    model = apps.get_model(model_label)
    outcome = "removed"
    for using in connection_router.for_write():
        search_index = connections[using].get_unified_index().get_index(model)
        obj = search_index.index_queryset(using=using).filter(pk=pk).first()
        backend = connections[using].get_backend()
        if obj is None:
            backend.remove(f"{model._meta.label_lower}.{pk}")
        else:
            backend.update(search_index, [obj])
            outcome = "indexed"
    invalidate(SEARCH_TOPIC)
    return outcome


@contextlib.contextmanager
def bulk_writes(usings=None, *, replace: bool = False):
    """Indexing commands write inside this: each backend that can (the database backend)
    writes everything in one transaction; with replace=True the others are cleared first, as
    haystack's rebuild_index does."""
    with contextlib.ExitStack() as stack:
        for using in usings or connections.connections_info:
            backend = connections[using].get_backend()
            if hasattr(backend, "bulk"):
                stack.enter_context(backend.bulk(replace=replace))
            elif replace:
                backend.clear()
        yield
    invalidate(SEARCH_TOPIC)


def unindex_object(*, model_label: str, pk: int | str) -> str:
    identifier = f"{model_label.lower()}.{pk}"
    for using in connection_router.for_write():
        connections[using].get_backend().remove(identifier)
    invalidate(SEARCH_TOPIC)
    return "removed"


# ------------------------------------------------------------------------------ searching
@dataclass
class Outcome:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None


def facet_filter(field_name: str, value: str) -> str:
    """A narrowing query for one facet value; quotes and backslashes cannot end the phrase."""
    safe = value.replace("\\", " ").replace('"', " ").strip()
    return f'{field_name}_exact:"{safe}"'


def search_documents(
    *,
    query: str,
    kind: str = "",
    category: str = "",
    tag: str = "",
    offset: int = 0,
    limit: int = PER_PAGE,
    using: str = "default",
) -> Outcome:
    """One page of results for the search page, with facet counts and a spelling suggestion.

    One backend query: the page is fetched first, and the count, the facets and the suggestion
    come with it; then the page's image hits load their pictures, two queries for them all
    (results.py). Backend errors propagate; the view turns them into a message.
    """
    outcome = Outcome(query=query)
    if not query:
        return outcome
    # No .highlight(): the page quotes each object's own words, not the document text
    # (results.py), so the backends' snippets would be made for nothing.
    sqs = SearchQuerySet(using=using).auto_query(query)
    for name in FACETS:
        sqs = sqs.facet(name)
    for name, value in (("kind", kind), ("category", category), ("tags", tag)):
        if value:
            sqs = sqs.narrow(facet_filter(name, value))
    results = list(sqs[offset : offset + limit])
    outcome.total = sqs.count()
    outcome.hits = page_hits(results, query)
    fields = (sqs.facet_counts() or {}).get("fields", {})
    outcome.facets = {
        name: [
            (value, count)
            for value, count in fields.get(name, [])
            if value not in (None, "") and count
        ]
        for name in FACETS
    }
    suggestion = sqs.spelling_suggestion()
    if suggestion and suggestion.lower() != query.lower():
        outcome.suggestion = suggestion
    return outcome


# Models whose rows become searchable when their publication time passes, with no save.
SCHEDULED = {"guides.guide": "pub_date", "polls.question": "pub_date"}


def index_newly_due(*, hours: int) -> int:
    """Index guides and polls whose publication time fell in the last `hours` (scheduled ones
    were not searchable when saved). Run hourly with an overlap; indexing twice is harmless."""
    now = timezone.now()
    count = 0
    for label, date_field in SCHEDULED.items():
        model = apps.get_model(label)
        due = model.objects.filter(
            **{f"{date_field}__gt": now - timedelta(hours=hours), f"{date_field}__lte": now}
        ).values_list("pk", flat=True)
        for pk in due:
            count += index_object(model_label=label, pk=pk) == "indexed"
    return count
