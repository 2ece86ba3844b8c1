"""The queued path (Solr's, and the retry after a failed database write): saves and deletes reach
the index through a real Celery worker. The database backend's own processor writes in the
content's transaction (test_backends.py); here the queued one is installed instead."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from guidebook.images.models import Image
from guidebook.images.services import image_update
from guidebook.images.tests.factories import create_image
from guidebook.polls.models import Choice
from guidebook.polls.tests.factories import QuestionFactory
from guidebook.search import signals

from .conftest import found, wait_until

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def queued():
    """The queued signal processor in place of the settings' one, for this test."""
    from django.apps import apps
    from haystack import connection_router, connections

    installed = apps.get_app_config("haystack").signal_processor
    installed.teardown()
    processor = signals.QueuedSignalProcessor(connections, connection_router)
    yield processor
    processor.teardown()
    installed.setup()


@pytest.fixture
def worker(celery_worker, queued):
    """The real worker; the test ends once it has nothing left to run (renditions of the test's
    images included), so that no task touches the database while it is being flushed."""
    from celery.worker import state

    yield celery_worker
    wait_until(
        lambda: not state.active_requests and not state.reserved_requests,
        timeout=30,
        what="the worker to finish its tasks",
    )


def doc(obj) -> str:
    return f"{obj._meta.label_lower}.{obj.pk}"


def test_a_new_public_image_is_indexed_by_the_worker(worker):
    image = create_image(description="Belem tower at dawn")
    wait_until(lambda: found("belem") == {doc(image)}, what="the worker to index the image")


def test_private_unpublished_and_deleted_leave_the_index_through_the_queue(worker):
    image = create_image(description="Alfama rooftops")
    poll = QuestionFactory(text="Alfama or Baixa?", choices=["Alfama", "Baixa"])
    kept = QuestionFactory(text="Alfama by tram?", choices=["Yes", "No"])
    wait_until(
        lambda: found("alfama") == {doc(image), doc(poll), doc(kept)},
        what="all three to be indexed",
    )

    image_update(image=image, description=image.description, visibility="private")
    poll.pub_date = timezone.now() + timezone.timedelta(days=3)
    poll.save()
    wait_until(lambda: found("alfama") == {doc(kept)}, what="private and unpublished to go")

    kept.delete()
    wait_until(lambda: found("alfama") == set(), what="the deleted poll to go")


def test_a_new_choice_reindexes_its_question(worker):
    poll = QuestionFactory(text="Where next?", choices=["Sintra"])
    wait_until(lambda: found("sintra") == {doc(poll)})
    Choice.objects.create(question=poll, text="Cascais")
    wait_until(lambda: found("cascais") == {doc(poll)}, what="the new choice to be indexed")


def test_a_backend_outage_never_fails_a_save_and_the_task_retries(worker, refusing_index):
    image = create_image(description="Comporta dunes, explosive colours")  # the save succeeds
    assert Image.objects.filter(pk=image.pk).exists()
    time.sleep(1.5)  # the task has run and failed: the database refuses the document
    assert found("comporta") == set()
    refusing_index()
    wait_until(
        lambda: found("comporta") == {doc(image)},
        timeout=30,
        what="the retried task to index the image",
    )


def test_a_failed_database_write_is_retried_through_the_queue(celery_worker, refusing_index):
    """The database backend's processor: the write in the transaction fails, the content is
    kept, and the search queue retries it after the commit."""
    image = create_image(description="Fireworks, explosive ones, over the Tagus")
    assert Image.objects.filter(pk=image.pk).exists()
    assert found("fireworks") == set()
    refusing_index()
    wait_until(lambda: found("fireworks") == {doc(image)}, timeout=30, what="the retry")


def test_a_broker_outage_never_fails_a_save(transactional_db, monkeypatch):
    def broker_down(model_label, pk):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(signals, "queue_update", broker_down)
    with transaction.atomic():
        poll = QuestionFactory(text="Still saved?", choices=["Yes"])
    assert type(poll).objects.filter(pk=poll.pk).exists()


def test_raw_saves_are_not_queued(db, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(signals, "queue_update", lambda label, pk: queued.append(pk))
    from django.db.models.signals import post_save

    poll = QuestionFactory.build(text="Fixture poll")
    with django_capture_on_commit_callbacks(execute=True):
        post_save.send(type(poll), instance=poll, created=True, raw=True)
    assert queued == []
