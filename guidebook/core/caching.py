"""Whole-page caching of public pages (guides, the home page), for readers who are not logged in.

A cached page is keyed by its URL and the current CacheGeneration number; every change that can
alter a cached page raises the number in the same transaction (each app connects bump_generation
to its models' signals), so an edit shows on the very next request. Published-but-
scheduled guides become due without any write: entries also expire after PAGE_CACHE_SECONDS,
so a scheduled guide appears at most that long after its time.

Only anonymous requests without a session or messages are cached (their pages carry no CSRF
token and no per-user content); a page whose rendering used the CSP nonce is never cached.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

PAGE_CACHE_SECONDS = 60
KEY_PREFIX = "core:page"


def current_generation() -> int:
    from .models import CacheGeneration

    number = CacheGeneration.objects.filter(pk=1).values_list("number", flat=True).first()
    return number or 0


def bump_generation(**kwargs) -> None:
    """Signal receiver: a change that a guide page may show."""
    from .models import CacheGeneration

    if not CacheGeneration.objects.filter(pk=1).update(number=F("number") + 1):
        CacheGeneration.objects.get_or_create(pk=1, defaults={"number": 1})


def invalidate_on_change(*models) -> None:
    """Raise the generation whenever a row of one of these models is saved or deleted."""
    for model in models:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                bump_generation, sender=model, dispatch_uid=f"core.cache.{name}.{model._meta.label}"
            )


def cacheable(request) -> bool:
    from django.conf import settings

    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{KEY_PREFIX}:{current_generation()}:{path}"


def cache_public_page(view):
    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not cacheable(request):
            return view(request, *args, **kwargs)
        key = cache_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and not isinstance(getattr(request, "_csp_nonce", None), str)
        ):
            cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
        return response

    return cached_view
