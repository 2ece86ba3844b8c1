import random
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import public_profiles
from .models import Profile

MAX_RETRIES = 5


def backoff(retries: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter: up to 2 s, then 4 s, 8 s ... at most `cap`."""
    return random.uniform(0, min(cap, base * 2**retries))  # noqa: S311 - not for security


@shared_task(name="accounts.fetch_profile", bind=True, max_retries=MAX_RETRIES)
def fetch_profile(self, profile_id: int) -> str:
    try:
        return public_profiles.profile_fetch(profile_id=profile_id)
    except Profile.DoesNotExist:
        return "deleted"
    except public_profiles.RetryableFetchError as exc:
        # In-process (embedded) runs don't wait and retry: a failure is recorded at once.
        if self.request.is_eager or self.request.retries >= self.max_retries:
            public_profiles.profile_record_failure(
                profile_id=profile_id, status=Profile.FetchStatus.FAILED, error=str(exc)
            )
            return Profile.FetchStatus.FAILED
        wait = exc.retry_after if exc.retry_after is not None else backoff(self.request.retries)
        raise self.retry(exc=exc, countdown=wait) from exc


@shared_task(name="accounts.refresh_profiles")
def refresh_profiles() -> int:
    """Daily: queue a fetch for every profile with a handle not fetched in the last day."""
    stale = list(
        Profile.objects.exclude(external_handle="")
        .exclude(fetched_at__gte=timezone.now() - timedelta(days=1))
        .values_list("pk", flat=True)
    )
    for profile_id in stale:
        fetch_profile.delay(profile_id)
    return len(stale)
