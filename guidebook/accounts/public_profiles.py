"""Fetching a user's public profile from the external profile service (PROFILE_SERVICE_URL)."""

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone

from .models import Profile

# Seconds to wait for the connection, then for each read of the answer.
CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 5


class RetryableFetchError(Exception):
    """The service may answer later: a network error, a 5xx or a 429."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class PublicProfile:
    name: str
    bio: str
    avatar_url: str


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def fetch_public_profile(handle: str) -> PublicProfile | None:
    """Ask the service about `handle`: the profile, None if it has none, or RetryableFetchError."""
    url = settings.PROFILE_SERVICE_URL.format(handle=quote(handle, safe=""))
    try:
        response = requests.get(
            url,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            headers={"Accept": "application/json", "User-Agent": "Guidebook profile fetcher"},
        )
    except requests.RequestException as exc:
        raise RetryableFetchError(
            f"{exc.__class__.__name__} talking to the profile service"
        ) from exc
    if response.status_code == 404:
        return None
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryableFetchError(
            f"the profile service answered {response.status_code}",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    response.raise_for_status()  # other 4xx: our request is wrong, retrying will not help
    body = response.json()
    return PublicProfile(
        name=str(body.get("name") or "")[:255],
        bio=str(body.get("bio") or ""),
        avatar_url=str(body.get("avatar_url") or "")[:500],
    )


def profile_fetch(*, profile_id: int) -> str:
    """Fetch and store a profile's public data; returns the resulting fetch status.

    Raises RetryableFetchError for the caller (the task) to retry. Safe to run twice.
    """
    profile = Profile.objects.get(pk=profile_id)
    if not profile.external_handle:
        return profile.fetch_status
    public = fetch_public_profile(profile.external_handle)
    if public is None:
        profile_record_failure(
            profile_id=profile_id,
            status=Profile.FetchStatus.NOT_FOUND,
            error=f"No public profile named {profile.external_handle}.",
        )
        return Profile.FetchStatus.NOT_FOUND
    Profile.objects.filter(pk=profile_id).update(
        fetched_name=public.name,
        fetched_bio=public.bio,
        avatar_url=public.avatar_url,
        fetched_at=timezone.now(),
        fetch_status=Profile.FetchStatus.OK,
        fetch_error="",
    )
    return Profile.FetchStatus.OK


def profile_record_failure(*, profile_id: int, status: str, error: str) -> None:
    Profile.objects.filter(pk=profile_id).update(
        fetched_at=timezone.now(),
        fetch_status=status,
        fetch_error=error[:255],
    )
