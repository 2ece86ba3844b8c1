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


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/activate/\S+/", message.body).group(0)


@pytest.mark.django_db(transaction=True)  # the e-mail goes on commit
def test_signup_sends_a_link_that_confirms_the_account_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302 and response.url == reverse("accounts:signup_done")
    user = User.objects.get(username="newcomer")
    assert not user.is_active and user.check_password(STRONG)
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.com"]

    response = client.get(link_in(message), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:profile", args=["newcomer"])
    assert "Welcome to Guidebook!" in response.text
    user.refresh_from_db()
    assert user.is_active and user.profile.pk is not None
    assert response.context["user"] == user
    # The link works once.
    assert client.get(link_in(message)).status_code == 400


def test_an_unconfirmed_account_cannot_log_in(client):
    signup(client)
    response = client.post(reverse("accounts:login"), {"username": "newcomer", "password": STRONG})
    assert response.status_code == 200 and response.context["user"].is_anonymous


@pytest.mark.django_db(transaction=True)  # the e-mail goes on commit
def test_signup_answers_the_same_whether_or_not_the_address_has_an_account(client):
    """A stranger learns nothing; the owner of the address is told by e-mail."""
    UserFactory(username="owner", email="taken@example.com")
    fresh = signup(client, username="someone", email="fresh@example.com")
    taken = signup(client, username="another", email="TAKEN@example.com")
    assert (fresh.status_code, fresh.url) == (taken.status_code, taken.url)
    assert client.get(fresh.url).text == client.get(taken.url).text
    assert not User.objects.filter(username="another").exists()
    to_owner = next(message for message in mail.outbox if message.to == ["taken@example.com"])
    assert "already belongs to your account" in to_owner.body
    assert reverse("accounts:password_reset") in to_owner.body
    assert "/accounts/activate/" not in to_owner.body


@pytest.mark.django_db(transaction=True)  # the e-mail goes on commit
def test_signing_up_again_before_confirming_sends_a_new_link(client):
    signup(client)
    signup(client, username="newcomer2")
    assert not User.objects.filter(username="newcomer").exists()
    assert not User.objects.get(username="newcomer2").is_active
    response = client.get(link_in(mail.outbox[-1]))
    assert response.status_code == 302
    assert client.get(link_in(mail.outbox[0])).status_code == 400


@pytest.mark.parametrize("path", ["/accounts/activate/xx/yy/", "/accounts/activate/MQ/bad-token/"])
def test_a_wrong_confirmation_link_says_so(client, path):
    UserFactory(is_active=False)
    response = client.get(path)
    assert response.status_code == 400
    assert "This link does not work" in response.text


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


def test_signup_with_a_taken_username_is_refused(client):
    UserFactory(username="taken", email="taken@example.com")
    response = signup(client, username="taken")
    assert "already exists" in " ".join(field_errors(response, "username"))
    assert User.objects.count() == 1 and not mail.outbox


def test_login_and_logout_by_post(client):
    UserFactory(username="reader")
    response = client.post(reverse("accounts:login"), {"username": "reader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


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


@pytest.mark.django_db(transaction=True)  # the e-mail goes on commit
def test_confirming_the_account_records_the_registered_event(client):
    from guidebook.events.models import Outbox

    signup(client)
    assert not Outbox.objects.exists()  # not a member until the address is confirmed
    client.get(link_in(mail.outbox[0]))
    event = Outbox.objects.get(type="accounts.user.registered")
    assert event.data["name"] == "newcomer"
    assert event.data["url"] == reverse("accounts:profile", args=["newcomer"])


def test_failed_signup_records_no_event_and_sends_nothing(client):
    from guidebook.events.models import Outbox

    signup(client, password2="different-passphrase-77")
    assert not Outbox.objects.exists() and not mail.outbox


def test_a_password_like_the_e_mail_address_is_refused(client):
    address = "marta.quinn@example.com"
    response = signup(client, email=address, password1=address, password2=address)
    assert any("too similar" in error for error in field_errors(response, "password2"))
