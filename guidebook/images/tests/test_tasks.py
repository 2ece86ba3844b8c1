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
        ("1600w.jpg", 1600),
        ("1600w.webp", 1600),
        ("400w.jpg", 400),
        ("400w.webp", 400),
    ]


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
    route = generate_renditions.app.conf.task_routes["images.*"]
    assert (
        generate_renditions.app.amqp.router.route({}, generate_renditions.name)["queue"].name
        == route["queue"]
    )


def test_regenerate_renditions_admin_action_runs_a_job_that_remakes_files(celery_worker, client):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.urls import reverse

    from guidebook.accounts.tests.factories import StaffFactory
    from guidebook.jobs.models import Job
    from guidebook.jobs.services import job_statuses

    image = create_image(data=image_bytes(size=(1200, 800), color=(200, 20, 20)))
    damaged = wait_for_renditions(image)[0].file.name
    default_storage.delete(damaged)
    default_storage.save(damaged, ContentFile(b"not an image any more"))

    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:images_image_changelist"),
        {"action": "regenerate_renditions", "_selected_action": [image.pk]},
        follow=True,
    )
    assert "Follow its progress on the jobs page" in response.content.decode()
    job = Job.objects.get(task_name="images.generate_renditions")
    deadline = time.monotonic() + 20
    while not (status := job_statuses([job])[job.pk]).ready and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (status.state, status.done, status.total) == ("SUCCESS", 1, 1)
    with default_storage.open(damaged) as remade:
        assert remade.read(3) in (b"\xff\xd8\xff", b"RIF")  # a JPEG or WebP again


def test_regenerate_renditions_command_follows_progress(celery_worker):
    from io import StringIO

    from django.core.management import call_command

    image = create_image(data=image_bytes(size=(800, 600), color=(20, 20, 20)))
    wait_for_renditions(image)
    out = StringIO()
    call_command("regenerate_renditions", image.pk, stdout=out)
    assert "1/1 success" in out.getvalue()
    assert "Renditions of 1 image(s) remade." in out.getvalue()


def test_a_rolled_back_upload_queues_no_task_and_publishes_nothing(celery_worker):
    from django.db import transaction
    from django_celery_results.models import TaskResult

    from guidebook.events.models import Outbox
    from guidebook.images.models import Image

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        create_image(data=image_bytes(size=(640, 480), color=(9, 9, 9)))
        raise Abandon
    # A task that had been queued would be done by the idle worker well within this time.
    probe = create_image(data=image_bytes(size=(640, 480), color=(8, 8, 8)))
    wait_for_renditions(probe)
    assert Image.objects.count() == 1
    assert TaskResult.objects.filter(task_name="images.generate_renditions").count() == 1
    assert list(Outbox.objects.values_list("data__image_id", flat=True)) == [probe.pk]
