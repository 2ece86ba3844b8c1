import re

import pytest
from django.core import mail
from django.urls import reverse

from guidebook.accounts.models import User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-unusual-passphrase-42"


def signup(client, **overrides):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": STRONG,
        "password2": STRONG,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_signup_creates_user_with_profile_logs_in_and_shows_profile(client):
    response = signup(client)
    user = User.objects.get(username="newcomer")
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile", args=["newcomer"])
    assert user.profile.pk is not None
    assert user.check_password(STRONG)
    assert client.get(reverse("home")).context["user"] == user


def test_argon2_hashes_passwords_outside_tests():
    from config.settings import base  # test.py swaps in a fast hasher

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-entirely-99"}, "password2", "match"),
        ({"password1": "123", "password2": "123"}, "password2", "too short"),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"username": "login"}, "username", "reserved"),
    ],
)
def test_bad_signup_reshows_form_with_error_next_to_field(client, overrides, field, message):
    response = signup(client, **overrides)
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field))
    assert not User.objects.filter(username=overrides.get("username", "newcomer")).exists()
    # The error is rendered beside its field, and what was typed is kept.
    html = response.content.decode()
    assert 'class="errorlist' in html
    if field != "email" and "email" not in overrides:
        assert 'value="newcomer@example.com"' in html


def test_signup_with_taken_username_or_email_is_refused(client):
    UserFactory(username="taken", email="taken@example.com")
    response = signup(client, username="taken")
    assert "already exists" in " ".join(field_errors(response, "username"))
    response = signup(client, email="TAKEN@example.com")
    assert "already exists" in " ".join(field_errors(response, "email"))
    assert User.objects.count() == 1


def test_login_and_logout_by_post(client):
    UserFactory(username="reader")
    response = client.post(reverse("accounts:login"), {"username": "reader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].is_authenticated
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_five_failed_logins_lock_the_username_out_with_429(client):
    UserFactory(username="target")
    url = reverse("accounts:login")
    for _ in range(4):
        response = client.post(url, {"username": "target", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": "target", "password": "wrong"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    # Even the right password is refused during the cool-off.
    response = client.post(url, {"username": "target", "password": PASSWORD})
    assert response.status_code == 429
    # Another username from the same address is not locked.
    UserFactory(username="bystander")
    response = client.post(url, {"username": "bystander", "password": PASSWORD})
    assert response.status_code == 302


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_password_reset_by_email_end_to_end(client):
    user = UserFactory(email="forgetful@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": "forgetful@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_profile_page_and_owner_only_edit(client):
    owner = UserFactory(username="owner")
    other = UserFactory(username="other")
    page = client.get(reverse("accounts:profile", args=["owner"]))
    assert page.status_code == 200 and b"owner" in page.content

    edit = reverse("accounts:profile_edit", args=["owner"])
    assert client.get(edit).url.startswith(reverse("accounts:login"))
    client.force_login(other)
    assert client.post(edit, {"display_name": "Hijacked"}).status_code == 403
    client.force_login(owner)
    response = client.post(
        edit,
        {
            "display_name": "Olive Owner",
            "bio": "Hi",
            "website": "example.org",
            "external_handle": "olive-o",
        },
    )
    assert response.status_code == 302
    owner.profile.refresh_from_db()
    assert owner.profile.display_name == "Olive Owner"
    assert owner.profile.website == "https://example.org"
    assert b"Olive Owner" in client.get(owner.get_absolute_url()).content


def test_profile_edit_rejects_a_bad_handle_and_keeps_input(client):
    owner = UserFactory()
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile_edit", args=[owner.username]),
        {"display_name": "Kept", "external_handle": "no spaces/allowed"},
    )
    assert response.status_code == 200
    assert "letters, digits" in " ".join(response.context["form"].errors["external_handle"])
    assert b'value="Kept"' in response.content


def test_unknown_profile_is_404(client):
    response = client.get(reverse("accounts:profile", args=["nobody"]))
    assert response.status_code == 404
    assert b"couldn" in response.content


def test_signup_records_a_registered_event_in_the_outbox(client):
    from guidebook.events.models import Outbox

    signup(client)
    event = Outbox.objects.get(type="accounts.user.registered")
    assert event.data["name"] == "newcomer"
    assert event.data["url"] == reverse("accounts:profile", args=["newcomer"])


def test_failed_signup_records_no_event(client):
    from guidebook.events.models import Outbox

    signup(client, password2="different-passphrase-77")
    assert not Outbox.objects.exists()
