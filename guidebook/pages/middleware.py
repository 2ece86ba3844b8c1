"""Flatpages where no URL pattern answers, served from the page cache (core/caching.py).

Django's FlatpageFallbackMiddleware looks for a flatpage once the 404 page has been rendered, so
every flatpage paid for a "page not found" page nobody saw. Here the 404 handler
(config/urls.py's handler404) looks first, and the 404 page is rendered only when there is no
flatpage. With DEBUG on, Django shows its own 404 page instead of calling the handler, so the
middleware still falls back then.
"""

from django.conf import settings
from django.contrib.flatpages.middleware import FlatpageFallbackMiddleware
from django.contrib.flatpages.views import flatpage
from django.http import Http404
from django.views import defaults

from guidebook.core.caching import cache_public_page

# The "pages" topic changes with every saved FlatPage (pages/signal_handlers.py).
cached_flatpage = cache_public_page("pages")(flatpage)
TRIED = "_flatpage_tried"


def flatpage_response(request):
    """The flatpage at this path, or None."""
    setattr(request, TRIED, True)
    try:
        return cached_flatpage(request, request.path_info)
    except Http404:
        return None


def page_not_found(request, exception):
    """handler404: the flatpage at this path if there is one, else the site's 404 page."""
    return flatpage_response(request) or defaults.page_not_found(request, exception)


class CachedFlatpageFallbackMiddleware(FlatpageFallbackMiddleware):
    """With DEBUG on (no handler404), a 404 is replaced by the flatpage at its path."""

    def process_response(self, request, response):
        if response.status_code != 404 or getattr(request, TRIED, False):
            return response
        try:
            return flatpage_response(request) or response
        except Exception:
            if settings.DEBUG:
                raise
            return response
