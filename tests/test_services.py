"""Smoke tests that prove each real-service fixture of the harness works."""

import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_when_database_url_names_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    assert connection.vendor == "postgresql"
    assert version.startswith("PostgreSQL")


@pytest.mark.celery_worker
def test_real_worker_runs_a_task_on_rabbitmq(celery_worker):
    from guidebook.core.tasks import ping

    result = ping.delay()
    answer = result.get(timeout=20)
    assert answer["database"] == connection.vendor
    assert result.status == "SUCCESS"
    # The result came back through django-celery-results, not from memory.
    from django_celery_results.models import TaskResult

    assert TaskResult.objects.get(task_id=result.id).task_name == "core.ping"


@pytest.mark.s3
def test_s3_storage_writes_and_reads_through_moto_over_http(s3_storage):
    name = s3_storage.save("smoke/hello.txt", ContentFile(b"hello, bucket"))
    assert s3_storage.exists(name)
    with s3_storage.open(name) as stored:
        assert stored.read() == b"hello, bucket"

    url = s3_storage.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our moto server
        assert response.read() == b"hello, bucket"
    unsigned = url.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310
    assert refused.value.code == 403
