import pytest
from celery import current_app
from django.db import IntegrityError, transaction

from guidebook.accounts.models import Profile, User
from guidebook.accounts.services import profile_update, user_register
from guidebook.events.models import Outbox

from .factories import UserFactory
from .profile_service import ok

pytestmark = pytest.mark.django_db


def test_registering_creates_the_user_its_profile_and_one_event():
    user = user_register(username="marta", email="Marta@Example.com", password="a-long-pass-88")
    assert user.check_password("a-long-pass-88") and user.is_active
    assert Profile.objects.filter(user=user).exists()
    event = Outbox.objects.get(type="accounts.user.registered")
    assert event.data == {"user_id": user.pk, "name": "marta", "url": "/accounts/marta/"}


def test_a_failed_registration_leaves_no_user_and_no_event():
    UserFactory(username="taken")
    with pytest.raises(IntegrityError), transaction.atomic():
        user_register(username="taken", email="other@example.com", password="a-long-pass-88")
    assert User.objects.filter(username="taken").count() == 1
    assert not Outbox.objects.filter(type="accounts.user.registered").exists()


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
    assert len(callbacks) == 1
    profile.refresh_from_db()
    assert (profile.fetch_status, profile.fetched_name) == ("ok", "Octo Cat")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert (
            profile_update(profile=profile, **fields(external_handle="octocat", bio="Hi")) is False
        )
    assert callbacks == [] and len(profile_service.hits("octocat")) == 1
