"""Local disk: signed, expiring URLs for private files; plain URLs for public ones."""

import time
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

from guidebook.images import storage

from .factories import UserFactory, create_image, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_image():
    return create_image(data=image_bytes(color=(200, 10, 10)), visibility="private")


def test_private_file_url_is_signed_and_serves_the_file_with_nosniff(client, private_image):
    url = storage.file_url(private_image.file.name, private=True)
    assert url.startswith("/images/file/")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_expired_signed_url_is_refused(client, private_image, monkeypatch, settings):
    settings.IMAGE_SIGNED_URL_EXPIRE = 60
    signed_at = time.time() - 61
    monkeypatch.setattr(signing.time, "time", lambda: signed_at)
    url = storage.file_url(private_image.file.name, private=True)
    monkeypatch.undo()
    assert client.get(url).status_code == 403


def test_tampered_signed_url_is_refused(client, private_image):
    token = storage.sign_name(private_image.file.name)
    forged = (
        storage.sign_name("originals/00/someone-elses.jpg").rsplit(":", 1)[0]
        + ":"
        + token.rsplit(":", 1)[1]
    )
    assert client.get(reverse("images:file", args=[forged])).status_code == 403
    assert client.get(reverse("images:file", args=[token[:-2] + "xx"])).status_code == 403


def test_public_file_has_a_plain_url_served_with_its_type():
    image = create_image(data=image_bytes("PNG"))
    url = storage.file_url(image.file.name, private=False)
    assert url == f"/images/media/{image.file.name}"


def test_public_url_view_serves_public_files_only(client, private_image):
    public = create_image(data=image_bytes("GIF"), owner=UserFactory())
    response = client.get(storage.file_url(public.file.name, private=False))
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/images/media/{private_image.file.name}").status_code == 404
    assert client.get("/images/media/../../settings.py").status_code == 404


def test_signed_urls_survive_a_secret_key_rotation_with_the_old_key_as_fallback(
    client, private_image, settings
):
    old_key = settings.SECRET_KEY
    url = storage.file_url(private_image.file.name, private=True)
    settings.SECRET_KEY = "a-brand-new-secret-key-for-the-rotation-test-0123456789"
    assert client.get(url).status_code == 403  # without the fallback the old URL is void
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.get(url).status_code == 200


@pytest.fixture
def debug_urls(settings):
    """The URLs as the embedded profile (DEBUG=True) builds them."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_no_url_serves_a_private_file_unsigned_even_in_debug(client, debug_urls, settings):
    image = create_image(data=image_bytes(color=(5, 50, 5)), visibility="private")
    name = image.file.name
    assert (Path(settings.MEDIA_ROOT) / name).exists()
    for url in (f"/media/{name}", f"{settings.MEDIA_URL}{name}", default_storage.url(name)):
        assert client.get(url).status_code == 404, url
    signed = storage.file_url(name, private=True)
    assert client.get(signed).status_code == 200


@pytest.mark.parametrize(
    ("route", "argument"),
    [
        ("images:media", "renditions/2026/12/ab12cd-800w.webp"),
        ("images:media", "originals/odd name (1) é.jpg"),
        ("images:file", storage.sign_name("originals/private.jpg")),
    ],
)
def test_picture_urls_are_what_reverse_gives(route, argument):
    assert storage.route_url(route, argument) == reverse(route, args=[argument])
