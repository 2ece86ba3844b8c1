"""An image whose renditions cannot be made is refused at upload; one already stored says so on its
page instead of "Preparing renditions…" forever."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from guidebook.images.models import Image
from guidebook.images.renditions import UnrenderableImage, generate_renditions
from guidebook.images.services import image_create

from .factories import UserFactory, create_image, image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fmt,size,orientation,phrase",
    [
        ("PNG", (2, 30000), None, "16,383"),  # a 2 px wide rendition 30,000 px tall: beyond WebP
        ("PNG", (30000, 2), None, "less than 1 pixel tall"),  # 400 px wide: 0 px tall
        ("JPEG", (30000, 2), 6, "16,383"),  # shown turned a quarter: 2 x 30,000 on display
        ("PNG", (100, 5000), None, "16,383"),  # its 1600 px... kept at 100 wide, 5000 tall: fine
    ],
)
def test_images_whose_renditions_cannot_be_made_are_refused_with_a_reason(
    fmt, size, orientation, phrase
):
    exif = None
    if orientation:
        from PIL import Image as PILImage

        exif = PILImage.Exif()
        exif[0x0112] = orientation
    data = image_bytes(fmt, size=size, color=(0, 0, 0), mode="RGB", exif=exif)
    if size == (100, 5000):
        assert image_create(owner=UserFactory(), file=upload(data, "tall.png")).pk
        return
    with pytest.raises(ValidationError) as refused:
        image_create(owner=UserFactory(), file=upload(data, "strip.png"))
    message = " ".join(refused.value.messages)
    assert phrase in message and "crop" in message.lower(), message
    assert not Image.objects.exists()


def status_url(image):
    return reverse("images:renditions_status", args=[image.pk])


@pytest.mark.parametrize(
    "stored,reason",
    [
        (b"\xff\xd8\xff\xe0garbage", "cannot be decoded"),
        (image_bytes("PNG", size=(2, 30000)), "16,383"),  # stored before uploads were checked
    ],
)
def test_a_stored_image_whose_renditions_fail_says_why_and_stops_waiting(client, stored, reason):
    image = create_image(data=image_bytes(color=(3, 3, 3)))
    with default_storage.open(image.file.name, "wb") as replaced:
        replaced.write(stored)
    with pytest.raises(UnrenderableImage):
        generate_renditions(image_id=image.pk)
    image.refresh_from_db()
    assert reason in image.renditions_error

    client.force_login(image.owner)
    assert client.get(status_url(image)).json()["failed"] is True
    for url in (image.get_absolute_url(), reverse("images:mine")):
        page = client.get(url).content.decode()
        assert "Renditions could not be made: " in page and reason in page, url
        assert "Preparing renditions" not in page and status_url(image) not in page, url


def test_remaking_renditions_that_work_clears_the_failure(django_capture_on_commit_callbacks):
    image = create_image(data=image_bytes(color=(4, 4, 4)))
    Image.objects.filter(pk=image.pk).update(renditions_error="The stored file was missing.")
    assert generate_renditions(image_id=image.pk, force=True)["status"] == "made"
    image.refresh_from_db()
    assert image.renditions_error == ""
