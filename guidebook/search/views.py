import logging

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from .forms import SearchForm
from .services import FACETS, KINDS, PER_PAGE, Outcome, search_documents

logger = logging.getLogger(__name__)
FACET_PARAMETERS = {"kind": "kind", "category": "category", "tags": "tag"}


class FetchedPage:
    """The one page a search fetched, looking like the whole result list to a Paginator."""

    def __init__(self, total: int, offset: int, items: list):
        self.total, self.offset, self.items = total, offset, items

    def __len__(self):
        return self.total

    def __getitem__(self, window: slice):
        return self.items[window.start - self.offset : window.stop - self.offset]


def search(request):
    form = SearchForm(request.GET)
    form.is_valid()  # every field is optional and cleaned leniently
    # A field still invalid (a NUL character, say) counts as not given.
    params = {"q": "", "kind": "", "category": "", "tag": "", "page": 1, **form.cleaned_data}
    query, page_number = params["q"], params["page"]
    filters = {name: params[name] for name in ("kind", "category", "tag")}
    outcome, error = Outcome(query=query), ""
    try:
        outcome = search_documents(
            query=query, **filters, offset=(page_number - 1) * PER_PAGE, limit=PER_PAGE
        )
        if query and not outcome.hits and outcome.total:  # past the last page
            page_number = (outcome.total - 1) // PER_PAGE + 1
            outcome = search_documents(
                query=query, **filters, offset=(page_number - 1) * PER_PAGE, limit=PER_PAGE
            )
    except Exception:
        # The search backend is down or could not parse the query: the visitor gets the page
        # with an explanation, the logs get the traceback.
        logger.exception("Search failed for query %r", query)
        error = "Search could not answer that query just now. Try other words, or try later."
    paginator = Paginator(
        FetchedPage(outcome.total, (page_number - 1) * PER_PAGE, outcome.hits), PER_PAGE
    )
    page = paginator.get_page(page_number)
    context = {
        "form": form,
        "query": query,
        "outcome": outcome,
        "page_obj": page,
        "paginator": paginator,
        "error": error,
        "filters": filters,
        "shortened": getattr(form, "shortened", False),
        "facets": facet_links(query, filters, outcome),
        "page_links": page_links(query, filters, page),
        "suggestion_url": suggestion_url(outcome.suggestion, filters),
    }
    # Not 200 when the backend failed: the explanation is for now, not for the page cache.
    return render(request, "search/search.html", context, status=503 if error else 200)


def query_string(**params) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value})


def facet_links(query: str, filters: dict, outcome: Outcome) -> list[dict]:
    """Per facet, its values with counts and a link that keeps the query and the other
    filters; the selected value links back to "all"."""
    groups = []
    for name in FACETS:
        parameter = FACET_PARAMETERS[name]
        values = []
        for value, count in outcome.facets.get(name, []):
            selected = filters[parameter] == value
            params = {**filters, parameter: "" if selected else value}
            label = KINDS.get(value, value) if name == "kind" else value
            values.append(
                {
                    "label": label,
                    "count": count,
                    "selected": selected,
                    "url": query_string(q=query, **params),
                }
            )
        if values:
            groups.append({"name": {"tags": "Tags"}.get(name, name.title()), "values": values})
    return groups


def page_links(query: str, filters: dict, page) -> dict:
    links = {}
    if page.has_previous():
        links["previous"] = query_string(q=query, **filters, page=page.previous_page_number())
    if page.has_next():
        links["next"] = query_string(q=query, **filters, page=page.next_page_number())
    return links


def suggestion_url(suggestion: str | None, filters: dict) -> str:
    return query_string(q=suggestion, **filters) if suggestion else ""
