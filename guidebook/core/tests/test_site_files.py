"""The files browsers and crawlers ask every site for: /favicon.ico and /robots.txt."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_favicon_is_served_at_the_root_as_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # ICO header


def test_every_page_links_the_icons(client):
    page = client.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'type="image/svg+xml"' in page
    assert finders.find("favicon.svg")


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert "Disallow: /images/uploads/" in lines  # the direct uploads' keys and statuses
    sitemap = next(line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap:"))
    assert sitemap == "http://testserver/sitemap.xml"
    assert client.get(sitemap).status_code == 200
