"""Journey step 6: an editor deletes an image and its files leave storage, local or S3."""

import pytest
from django.core.files.storage import default_storage

from guidebook.accounts.tests.factories import PASSWORD, StaffFactory
from guidebook.images.models import Image
from guidebook.images.tests.factories import create_image, image_bytes

from .workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["local", "s3"])
def media_storage(request):
    """The local disk (test settings), then S3 through moto's server for the second run."""
    if request.param == "s3":
        request.getfixturevalue("s3_storage")
    return request.param


def test_an_editor_deletes_an_image_and_its_files_are_gone(
    page, screenshot, media_storage, renditions_worker
):
    image = create_image(
        data=image_bytes(size=(1200, 800), color=(90, 30, 160)),
        description="Tiles of the old station",
    )
    wait_for(lambda: image.renditions.count() == 4, "the worker's renditions")
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    assert len(names) == 5 and all(default_storage.exists(name) for name in names)
    editor = StaffFactory(username="editor")

    page.goto("/accounts/login/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.goto(f"/images/{image.pk}/delete/")
    screenshot(f"journey-6-delete-{media_storage}")
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()

    assert not Image.objects.filter(pk=image.pk).exists()
    assert [name for name in names if default_storage.exists(name)] == []
