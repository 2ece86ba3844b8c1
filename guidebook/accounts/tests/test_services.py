import pytest
from celery import current_app
from django.core import mail
from django.db import IntegrityError, transaction

from guidebook.accounts.models import Profile, User
from guidebook.accounts.services import profile_update, user_activate, user_register
from guidebook.events.models import Outbox

from .factories import UserFactory
from .profile_service import ok

pytestmark = pytest.mark.django_db


def register(**overrides):
    fields = {"username": "marta", "email": "Marta@Example.com", "password": "a-long-pass-88"}
    return user_register(**{**fields, **overrides}, site_url="https://guidebook.example")


def test_registering_makes_an_inactive_user_and_activating_records_the_event(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = register()
    assert user.check_password("a-long-pass-88") and not user.is_active
    assert Profile.objects.filter(user=user).exists()
    assert not Outbox.objects.exists()
    (message,) = mail.outbox
    assert "https://guidebook.example/accounts/activate/" in message.body
    user_activate(user=user)
    event = Outbox.objects.get(type="accounts.user.registered")
    assert event.data == {"user_id": user.pk, "name": "marta", "url": "/accounts/marta/"}


def test_an_address_with_an_account_gets_an_e_mail_and_nothing_is_made(
    django_capture_on_commit_callbacks,
):
    UserFactory(username="marta", email="marta@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert register(username="imposter") is None
    assert not User.objects.filter(username="imposter").exists()
    (message,) = mail.outbox
    assert message.to == ["marta@example.com"] and "already belongs" in message.body


def test_a_failed_registration_leaves_no_user_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    UserFactory(username="taken")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        register(username="taken", email="other@example.com")
    assert User.objects.filter(username="taken").count() == 1
    assert not mail.outbox


def fields(**overrides) -> dict:
    return {"display_name": "Ada", "bio": "", "website": "", "external_handle": "", **overrides}


def test_a_new_handle_fetches_the_public_profile_after_commit(
    profile_service, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    profile_service.script("octocat", ok(name="Octo Cat"))
    profile = UserFactory().profile
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert profile_update(profile=profile, **fields(external_handle="octocat")) is True
    assert callbacks and len(profile_service.hits("octocat")) == 1
    profile.refresh_from_db()
    assert (profile.fetch_status, profile.fetched_name) == ("ok", "Octo Cat")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert (
            profile_update(profile=profile, **fields(external_handle="octocat", bio="Hi")) is False
        )
    assert callbacks == [] and len(profile_service.hits("octocat")) == 1
