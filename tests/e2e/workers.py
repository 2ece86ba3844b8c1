"""Waiting on the real worker from a browser test."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery import current_app


@contextmanager
def consumer_paused(worker, task_name: str) -> Iterator[None]:
    """The worker stops taking `task_name`'s queue until the block ends, through Celery's remote
    control: its messages wait on the broker, as they do when every worker is busy."""
    queue = current_app.amqp.router.route({}, task_name)["queue"].name
    destination = [worker.hostname]
    current_app.control.cancel_consumer(queue, destination=destination, reply=True)
    try:
        yield
    finally:
        current_app.control.add_consumer(queue, destination=destination, reply=True)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def seed_demo_with_renditions() -> None:
    """The demo content (`seed_demo`), once the worker (or the in-process run) has made every
    image's renditions: pages then show their pictures as they will."""
    import io

    from django.core.management import call_command

    from guidebook.images.models import Image
    from guidebook.images.templatetags.image_tags import renditions_pending

    call_command("seed_demo", stdout=io.StringIO())
    wait_for(
        lambda: not any(renditions_pending(image) for image in Image.objects.all()),
        "the demo images' renditions",
    )
