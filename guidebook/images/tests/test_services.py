import pytest
from django.core.files.storage import default_storage

from guidebook.images import services
from guidebook.images.models import Image

from .factories import UserFactory, create_image, image_bytes

pytestmark = pytest.mark.django_db


def test_identical_bytes_are_stored_once_under_one_key():
    data = image_bytes(color=(1, 2, 3))
    first = create_image(data=data)
    second = create_image(data=data, owner=UserFactory())
    assert first.sha256 == second.sha256
    assert first.file.name == second.file.name
    assert default_storage.exists(first.file.name)


def test_deleting_an_image_deletes_its_files_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = create_image(data=image_bytes(color=(4, 5, 6)))
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    assert len(names) == 5 and all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.image_delete(image=image)
    assert all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in names)


def test_a_shared_file_is_kept_until_the_last_image_using_it_is_deleted(
    django_capture_on_commit_callbacks,
):
    data = image_bytes(color=(7, 8, 9))
    with django_capture_on_commit_callbacks(execute=True):
        first = create_image(data=data)
        second = create_image(data=data)
    shared = [first.file.name, *first.renditions.values_list("file", flat=True)]
    assert set(second.renditions.values_list("file", flat=True)) == set(shared[1:])

    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=first)
    assert all(default_storage.exists(name) for name in shared)
    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=second)
    assert not any(default_storage.exists(name) for name in shared)


def test_description_longer_than_255_characters_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        create_image(description="x" * 256)
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_public_uploads_and_deletions_are_published_private_ones_are_not():
    from guidebook.events.models import Outbox

    public = create_image(data=image_bytes(color=(1, 2, 3)), description="Dunes")
    private = create_image(data=image_bytes(color=(3, 2, 1)), visibility="private")
    services.image_delete(image=private)
    services.image_delete(image=public)
    assert list(Outbox.objects.order_by("created").values_list("type", "data__title")) == [
        ("images.image.uploaded", "Dunes"),
        ("images.image.deleted", "Dunes"),
    ]
