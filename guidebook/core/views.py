from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from guidebook.guides.models import Guide
from guidebook.images.models import Image
from guidebook.polls.models import Question

from .health import run_checks

# Pages for signed-in people, forms and the admin: nothing for a search engine.
PRIVATE_PATHS = ["/admin/", "/accounts/", "/jobs/", "/images/upload/", "/images/mine/"]


class HomeView(TemplateView):
    """The front page: a section per app, each with its own empty state. Recent activity is a
    fragment (guidebook/events/fragments.py), cached apart from the page."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            featured_guides=Guide.objects.published().featured().for_cards()[:3],
            latest_guides=Guide.objects.published().for_cards()[:6],
            latest_images=Image.objects.public().recent().for_display()[:6],
            current_poll=Question.objects.open().newest_first().first(),
            recent_polls=Question.objects.published().newest_first()[:5],
            **kwargs,
        )


@require_safe
def robots_txt(request):
    """Crawlers may read every public page; the sitemap lists them."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    rules = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS)]
    body = "\n".join([*rules, f"Sitemap: {sitemap}", ""])
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    checks = run_checks()
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
