"""Authentication with the signed-in user read from the cache, not the database."""

from functools import partial

from django.contrib.auth.backends import ModelBackend

from guidebook.core.caching import remember

# A bound on what no save announces (a queryset update() of users, say): such a change shows
# this late at most. Every save or deletion of the user shows on their next request.
USER_CACHE_SECONDS = 300


class CachedModelBackend(ModelBackend):
    """ModelBackend whose get_user, which every signed-in request calls, reads the user from the
    shared cache in the one round trip that checks it is current: the entry is tied to the
    "user:{pk}" topic, which any save or deletion of the user invalidates once it commits
    (signal_handlers.py). So a password change still ends the user's other sessions at their
    next request (Django compares the session's hash with the fresh user's password), and a
    deactivated user is signed out, as with ModelBackend."""

    def get_user(self, user_id):
        return remember(
            f"accounts:user:{user_id}",
            [f"user:{user_id}"],
            partial(super().get_user, user_id),
            timeout=USER_CACHE_SECONDS,
        )


# The path sessions record for a sign-in that checked no password (account activation).
BACKEND_PATH = f"{CachedModelBackend.__module__}.{CachedModelBackend.__qualname__}"
