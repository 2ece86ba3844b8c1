import json

import pytest
from django.test import Client
from django.urls import path, reverse

from guidebook.accounts.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_shows_its_sections(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    for section in (b"Latest guides", b"New images", b"Current poll", b"Recent activity"):
        assert section in response.content
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_healthz_reports_ok_database_and_unconfigured_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "not configured"},
    }


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    # Port 9 (discard) is closed here: a real connection attempt that is refused.
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:9//"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"].startswith("broker unreachable")


@pytest.mark.celery_worker
def test_healthz_reaches_the_configured_broker(client, settings):
    from conftest import service_unavailable

    if not settings.CELERY_BROKER_URL:
        service_unavailable("needs RabbitMQ: set CELERY_BROKER_URL")
    response = client.get(reverse("healthz"))
    assert response.json()["checks"]["broker"] == "ok", response.content


def test_unknown_url_shows_the_friendly_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"We couldn" in response.content
    assert b"Back to the home page" in response.content


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", broken_view)]


def test_server_error_shows_the_friendly_500_page(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_admin_is_branded(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"Guidebook administration" in response.content
    assert b"css/admin.css" in response.content


def test_admindocs_serves_staff_only(client):
    client.force_login(UserFactory())
    assert client.get("/admin/doc/").status_code == 302  # to the admin login
    client.force_login(StaffFactory())
    response = client.get("/admin/doc/models/")
    assert response.status_code == 200
    assert b"accounts.user" in response.content.lower()
