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
# Prefixes: "/images/upload/" (the form) does not cover "/images/uploads/" (the direct
# uploads' keys, confirmations and statuses).
PRIVATE_PATHS = [
    "/admin/",
    "/accounts/",
    "/jobs/",
    "/images/upload/",
    "/images/uploads/",
    "/images/mine/",
]


class HomeView(TemplateView):
    """The front page: a featured guide (the newest featured one, else the newest) as its hero,
    then the latest other guides beside the current poll, new images and recent activity, each
    with its own empty state. Recent activity is a fragment (guidebook/events/fragments.py),
    cached apart from the page."""

    template_name = "core/home.html"
    LATEST_GUIDES, LATEST_IMAGES, EARLIER_POLLS = 6, 6, 3

    def get_context_data(self, **kwargs):
        guides = Guide.objects.published().for_cards()
        hero = guides.featured().first() or guides.first()
        current_poll = Question.objects.open().newest_first().prefetch_related("choices").first()
        earlier_polls = Question.objects.published().newest_first()
        if current_poll:
            earlier_polls = earlier_polls.exclude(pk=current_poll.pk)
        return super().get_context_data(
            hero=hero,
            latest_guides=guides.exclude(pk=getattr(hero, "pk", None))[: self.LATEST_GUIDES],
            latest_images=Image.objects.public().recent().for_display()[: self.LATEST_IMAGES],
            current_poll=current_poll,
            earlier_polls=earlier_polls[: self.EARLIER_POLLS],
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
