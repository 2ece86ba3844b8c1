"""The JSON status the page script polls while an image's renditions are being made."""

import pytest
from django.urls import reverse

from guidebook.images.models import Rendition

from .factories import ImageFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def status_url(image):
    return reverse("images:renditions_status", args=[image.pk])


def flags(response) -> dict:
    return {key: response.json()[key] for key in ("ready", "failed")}


@pytest.fixture
def image(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = ImageFactory()
    assert made.renditions.count() == 4
    return made


def test_url_shape(image):
    assert status_url(image) == f"/images/{image.pk}/renditions/"


def test_not_ready_then_ready_once_renditions_exist(client, image):
    saved = list(Rendition.objects.filter(image=image))
    Rendition.objects.filter(image=image).delete()
    response = client.get(status_url(image))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert flags(response) == {"ready": False, "failed": False}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    for rendition in saved:
        rendition.pk = None
        rendition.save()
    assert flags(client.get(status_url(image))) == {"ready": True, "failed": False}


def test_ready_renditions_come_with_the_thumbnail_the_upload_page_shows(client, image):
    status = client.get(status_url(image)).json()
    smallest = image.renditions.get(spec="400w.jpg")
    assert status["thumbnail"] == smallest.file.url
    assert (status["url"], status["alt"]) == (image.get_absolute_url(), image.description)


def test_partial_renditions_are_not_ready(client, image):
    image.renditions.filter(format="webp").delete()
    assert flags(client.get(status_url(image))) == {"ready": False, "failed": False}


def test_image_created_without_running_the_task_is_not_ready(client):
    image = ImageFactory()  # on-commit callbacks never run inside the test's transaction
    assert flags(client.get(status_url(image))) == {"ready": False, "failed": False}


def test_get_only(client, image):
    assert client.post(status_url(image)).status_code == 405


def test_missing_image_is_404(client):
    assert client.get(reverse("images:renditions_status", args=[999999])).status_code == 404


def test_private_image_is_404_for_others_and_seen_by_owner_and_staff(client):
    owner = UserFactory()
    image = ImageFactory(owner=owner, visibility="private")
    url = status_url(image)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert flags(client.get(url)) == {"ready": False, "failed": False}
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200


def test_detail_page_marks_the_image_only_while_not_ready(client, committed, image):
    marker = f'data-renditions-url="{status_url(image)}"'
    page = client.get(image.get_absolute_url()).content.decode()
    assert marker not in page and "Preparing renditions" not in page
    assert "images/renditions.js" in page  # the script is harmless with nothing to poll

    saved = list(Rendition.objects.filter(image=image))
    committed(Rendition.objects.filter(image=image).delete)
    page = client.get(image.get_absolute_url()).content.decode()
    assert marker in page and "Preparing renditions" in page
    assert '<script src="/static/images/renditions.js" defer></script>' in page

    for rendition in saved:
        rendition.pk = None
        committed(rendition.save)
    page = client.get(image.get_absolute_url()).content.decode()
    assert marker not in page and "Preparing renditions" not in page


def test_grids_mark_only_images_not_ready(client, image):
    owner = image.owner
    pending = ImageFactory(owner=owner)  # its renditions were never made
    for url in (reverse("images:index"), reverse("images:mine")):
        client.force_login(owner)
        page = client.get(url).content.decode()
        assert f'data-renditions-url="{status_url(pending)}"' in page, url
        assert f'data-renditions-url="{status_url(image)}"' not in page, url
        assert page.count("Preparing renditions") == 1, url


def test_no_inline_script_on_image_pages(client, image):
    Rendition.objects.filter(image=image).delete()
    page = client.get(image.get_absolute_url()).content.decode()
    for tag in page.split("<script")[1:]:
        assert tag.split(">", 1)[0].strip().startswith("src="), tag[:80]
