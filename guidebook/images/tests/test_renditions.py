import pytest
from django.core.files.storage import default_storage

from guidebook.images.models import Rendition
from guidebook.images.renditions import UnrenderableImage, generate_renditions

from .factories import create_image, image_bytes

pytestmark = pytest.mark.django_db


def test_generating_renditions_twice_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = create_image(data=image_bytes(size=(2000, 1500), color=(9, 9, 90)))
    before = {(r.spec, r.file.name, r.pk) for r in image.renditions.all()}
    assert generate_renditions(image_id=image.pk)["status"] == "unchanged"
    # Even when a file went missing, a rerun restores it under the same key and row.
    missing = image.renditions.get(spec="400w.webp")
    default_storage.delete(missing.file.name)
    assert generate_renditions(image_id=image.pk)["status"] == "made"
    assert {(r.spec, r.file.name, r.pk) for r in image.renditions.all()} == before
    assert default_storage.exists(missing.file.name)
    assert Rendition.objects.filter(image=image).count() == 4


def test_renditions_of_a_deleted_image_are_a_no_op():
    assert generate_renditions(image_id=987654)["status"] == "gone"


def test_an_undecodable_original_is_not_retried(django_capture_on_commit_callbacks):
    image = create_image(data=image_bytes(color=(3, 3, 3)))
    with default_storage.open(image.file.name, "wb") as damaged:
        damaged.write(b"\xff\xd8\xff\xe0garbage")
    with pytest.raises(UnrenderableImage):
        generate_renditions(image_id=image.pk)
