"""Confirming a new account's e-mail address: a signed, single-use link in an e-mail."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens (HMAC with SECRET_KEY, expiring after PASSWORD_RESET_TIMEOUT), on a
    salt of their own; the account's state is part of the hash, so a used link stops working."""

    key_salt = "guidebook.accounts.activation"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


activation_tokens = ActivationTokenGenerator()


def activation_path_args(user: User) -> tuple[str, str]:
    return urlsafe_base64_encode(force_bytes(user.pk)), activation_tokens.make_token(user)


def user_for_activation(uidb64: str, token: str) -> User | None:
    """The inactive user this link confirms, or None for a wrong, used or expired link."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.get(pk=pk, is_active=False)
    except (ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if activation_tokens.check_token(user, token) else None
