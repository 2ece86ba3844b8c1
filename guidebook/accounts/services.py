"""Writes on accounts: registering a user and updating a profile."""

from django.db import transaction

from guidebook.events.services import publish

from . import tasks
from .models import Profile, User


@transaction.atomic
def user_register(*, username: str, email: str, password: str) -> User:
    """Create an active user (its profile comes with it, see signal_handlers) and record
    accounts.user.registered in the same transaction."""
    user = User.objects.create_user(username=username, email=email, password=password)
    publish(
        "accounts.user.registered",
        {"user_id": user.pk, "name": user.display_name, "url": user.get_absolute_url()},
    )
    return user


@transaction.atomic
def profile_update(
    *, profile: Profile, display_name: str, bio: str, website: str, external_handle: str
) -> bool:
    """Save the profile's own fields. A new external handle queues a fetch of its public profile
    once the transaction commits; returns whether it did."""
    stored = Profile.objects.select_for_update().get(pk=profile.pk)
    fetch = bool(external_handle) and external_handle != stored.external_handle
    profile.display_name = display_name
    profile.bio = bio
    profile.website = website
    profile.external_handle = external_handle
    profile.full_clean()
    profile.save(update_fields=["display_name", "bio", "website", "external_handle"])
    if fetch:
        # robust: a broker that is down must not turn a saved profile into an error page.
        transaction.on_commit(lambda: tasks.fetch_profile.delay(profile.pk), robust=True)
    return fetch
