import pytest
from django.test import RequestFactory
from django.urls import reverse

from guidebook.accounts.tests.factories import PASSWORD, UserFactory
from guidebook.core.client_address import client_address

ROUTER = "10.1.2.3"


def request_from(forwarded: str | None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=ROUTER, **headers)


@pytest.mark.parametrize(
    ("hops", "forwarded", "client"),
    [
        (0, "203.0.113.5", ROUTER),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # a spoofed entry before the router's
        (2, "198.51.100.1, 203.0.113.5, 10.9.9.9", "203.0.113.5"),
        (1, None, ROUTER),  # not through the router
        (2, "203.0.113.5", ROUTER),  # through fewer proxies than trusted
        (1, "not-an-address", ROUTER),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_appended(
    settings, hops, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_address(request_from(forwarded)) == client


@pytest.mark.django_db
def test_behind_the_router_one_clients_failures_lock_out_that_client_only(client, settings):
    """Every request comes from the router's address; five bad logins from one client (even one
    that spoofs another's address) must not lock the username out for everyone."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ada")
    url = reverse("accounts:login")
    attacker = {"REMOTE_ADDR": ROUTER, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.66"}
    for _ in range(5):
        response = client.post(url, {"username": "ada", "password": "wrong"}, **attacker)
    assert response.status_code == 429
    owner = {"REMOTE_ADDR": ROUTER, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    response = client.post(url, {"username": "ada", "password": PASSWORD}, **owner)
    assert response.status_code == 302
