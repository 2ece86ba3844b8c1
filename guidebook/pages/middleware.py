from django.conf import settings
from django.contrib.flatpages.middleware import FlatpageFallbackMiddleware
from django.contrib.flatpages.views import flatpage
from django.http import Http404

from guidebook.core.caching import cache_public_page

# Flatpages in the page cache; the "pages" topic changes with every saved FlatPage.
cached_flatpage = cache_public_page("pages")(flatpage)


class CachedFlatpageFallbackMiddleware(FlatpageFallbackMiddleware):
    """Django's fallback (a flatpage where no URL pattern answered), served from the cache."""

    def process_response(self, request, response):
        if response.status_code != 404:
            return response  # only a 404 is ever replaced by a flatpage
        try:
            return cached_flatpage(request, request.path_info)
        except Http404:
            return response
        except Exception:
            if settings.DEBUG:
                raise
            return response
