from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Q
from django.views.generic import ListView

MAX_QUERY_LENGTH = 100


class PageSearchView(ListView):
    """The seed's "cheeky search": a case-insensitive substring match over titles and content.
    Site-wide search (guidebook.search) is the real thing."""

    template_name = "pages/search.html"
    paginate_by = 20

    def get_query(self) -> str:
        # PostgreSQL refuses NUL characters in text: they cannot match anything anyway.
        return self.request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]

    def get_queryset(self):
        query = self.get_query()
        if not query:
            return FlatPage.objects.none()
        pages = (
            FlatPage.objects.filter(sites=get_current_site(self.request))
            .filter(Q(title__icontains=query) | Q(content__icontains=query))
            .order_by("title")
        )
        if not self.request.user.is_authenticated:
            pages = pages.filter(registration_required=False)
        return pages

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.get_query(), **kwargs)
