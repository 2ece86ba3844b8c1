"""Writes on accounts: registering and activating a user, updating a profile."""

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from guidebook.events.services import publish

from . import tasks
from .activation import activation_path_args
from .models import Profile, User


def send_account_mail(to: str, template: str, context: dict) -> None:
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(subject, body, None, [to])


@transaction.atomic
def user_register(*, username: str, email: str, password: str, site_url: str) -> User | None:
    """Start an account, the same way whether or not the address has one already.

    A new address gets an inactive user and a link to confirm it (see `user_activate`). An
    address that has an account gets an e-mail saying so instead, with links to log in or reset
    the password, and nothing is created: the sign-up page answers the same either way, so it
    never tells a stranger who has an account. An address whose account was never confirmed
    gets a fresh link. Returns the new user, if one was made. The e-mail goes after commit.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.is_active:
        context = {"user": existing, "site_url": site_url}
        transaction.on_commit(
            lambda: send_account_mail(
                to=existing.email, template="signup_existing", context=context
            )
        )
        return None
    if existing is not None:
        existing.delete()  # never confirmed: the new sign-up replaces it
    user = User.objects.create_user(
        username=username, email=email, password=password, is_active=False
    )
    uidb64, token = activation_path_args(user)
    link = site_url + reverse("accounts:activate", args=[uidb64, token])
    mail = {"user": user, "site_url": site_url, "link": link}
    transaction.on_commit(partial(send_account_mail, user.email, "activation", mail))
    return user


@transaction.atomic
def user_activate(*, user: User) -> User:
    """Confirm the account: it can log in from now on, and accounts.user.registered is
    recorded in the same transaction."""
    user.is_active = True
    user.save(update_fields=["is_active"])
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
