from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from .health import run_checks


class HomeView(TemplateView):
    """The front page. Each section shows its own empty state until its app has content."""

    template_name = "core/home.html"


@never_cache
@require_safe
def healthz(request):
    checks = run_checks()
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
