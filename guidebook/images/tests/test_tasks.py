"""Renditions made by a real Celery worker consuming the images queue on RabbitMQ."""

import time

import pytest

from guidebook.images.models import Rendition

from .factories import create_image, image_bytes

pytestmark = pytest.mark.celery_worker


def wait_for_renditions(image, count=4, timeout=20.0) -> list[Rendition]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        renditions = list(Rendition.objects.filter(image=image))
        if len(renditions) >= count:
            return renditions
        time.sleep(0.1)
    pytest.fail(f"the worker made {len(renditions)} of {count} renditions in {timeout} s")


def test_upload_is_followed_by_renditions_from_the_worker(celery_worker):
    image = create_image(data=image_bytes(size=(2400, 1600), color=(20, 200, 20)))
    renditions = wait_for_renditions(image)
    assert sorted((r.spec, r.width) for r in renditions) == [
        ("1600w.jpg", 1600), ("1600w.webp", 1600), ("400w.jpg", 400), ("400w.webp", 400)]


def test_the_task_is_routed_to_the_images_queue_and_safe_to_run_twice(celery_worker):
    from guidebook.images.tasks import generate_renditions

    image = create_image(data=image_bytes(size=(900, 600), color=(20, 20, 200)))
    wait_for_renditions(image)
    before = sorted(Rendition.objects.filter(image=image).values_list("pk", "file"))
    result = generate_renditions.apply_async(args=[image.pk])
    assert result.get(timeout=20)["status"] == "unchanged"
    assert sorted(Rendition.objects.filter(image=image).values_list("pk", "file")) == before
    from django_celery_results.models import TaskResult

    assert TaskResult.objects.get(task_id=result.id).task_name == "images.generate_renditions"
    from django.conf import settings

    route = settings.CELERY_TASK_ROUTES["images.*"]
    assert generate_renditions.app.amqp.router.route({}, generate_renditions.name)["queue"].name \
        == route["queue"]
