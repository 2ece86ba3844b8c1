"""The signed-in user read from the cache (accounts/backends.CachedModelBackend): no query for
the user on a signed-in request, and every change to the user in force on the next request
after its commit, sign-outs included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidebook.accounts.backends import BACKEND_PATH, CachedModelBackend

from .factories import UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("images:mine")


def user_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in queries if '"accounts_user"' in q["sql"]]


def test_the_sessions_record_the_caching_backend(client):
    client.force_login(UserFactory())
    assert client.session["_auth_user_backend"] == BACKEND_PATH


def test_a_signed_in_request_reads_the_user_from_the_cache_after_the_first(client):
    user = UserFactory()
    client.force_login(user)
    status, first = user_queries(client, MINE)
    assert status == 200 and len(first) == 1
    status, again = user_queries(client, MINE)
    assert status == 200 and again == []
    assert CachedModelBackend().get_user(str(user.pk)) == user


def test_a_password_change_signs_the_other_sessions_out(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    assert user_queries(client, MINE)[0] == 200  # the user is cached
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password("a new long passphrase")
        user.save()
    status, queries = user_queries(client, MINE)
    assert status == 302 and len(queries) == 1  # read afresh, the session's hash is stale


def test_a_deactivated_user_is_signed_out(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    assert user_queries(client, MINE)[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
    assert user_queries(client, MINE)[0] == 302


def test_a_renamed_user_shows_their_new_name_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(first_name="Ada")
    client.force_login(user)
    client.get(MINE)
    with django_capture_on_commit_callbacks(execute=True):
        user.first_name = "Grace"
        user.save()
    assert CachedModelBackend().get_user(str(user.pk)).first_name == "Grace"


def test_a_user_who_does_not_exist_is_nobody_and_is_not_cached():
    backend = CachedModelBackend()
    assert backend.get_user("987654321") is None
    with CaptureQueriesContext(connection) as queries:
        assert backend.get_user("987654321") is None
    assert len(queries) == 1
