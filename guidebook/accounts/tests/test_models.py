import pytest
from django.db import IntegrityError

from guidebook.accounts.models import Profile, User

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_user_gets_a_profile_however_it_is_created():
    assert UserFactory().profile.pk
    assert User.objects.create_superuser("root", "root@example.com", "x").profile.pk
    assert Profile.objects.count() == 2


def test_email_addresses_are_unique_ignoring_case_but_blank_is_allowed_twice():
    UserFactory(email="Same@Example.com")
    UserFactory(username="blank1", email="")
    UserFactory(username="blank2", email="")
    with pytest.raises(IntegrityError):
        UserFactory(username="dupe", email="same@example.com")


def test_display_name_falls_back_to_full_name_then_username():
    user = UserFactory(username="plain")
    assert user.display_name == "plain"
    user.first_name, user.last_name = "Plain", "Jane"
    assert user.display_name == "Plain Jane"
    user.profile.display_name = "PJ"
    assert user.display_name == "PJ"
