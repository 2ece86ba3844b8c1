import time
import uuid

import pytest
from celery import shared_task
from django.db import connection
from django.urls import reverse

from guidebook.accounts.tests.factories import StaffFactory, UserFactory
from guidebook.jobs.models import Job
from guidebook.jobs.services import job_start, job_statuses


@shared_task(name="jobs_tests.count_to", bind=True)
def count_to(self, n):
    for done in range(1, n + 1):
        self.update_state(state="PROGRESS", meta={"done": done, "total": n})
        time.sleep(0.05)
    return {"counted": n}


@shared_task(name="jobs_tests.fail_on", acks_late=False)
def fail_on(value):
    if value == "bad":
        raise ValueError(f"cannot process {value}")
    return value


def wait_until_ready(client, job, timeout=30):
    url = reverse("jobs:status", args=[job.pk])
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        status = client.get(url).json()
        seen.append(status)
        if status["ready"]:
            return status, seen
        time.sleep(0.1)
    raise AssertionError(f"job not done in {timeout}s: {seen[-1]}")


def start(user, task_name, arguments, django_capture_on_commit_callbacks, name="Test job"):
    with django_capture_on_commit_callbacks(execute=True):
        return job_start(user=user, name=name, task_name=task_name, arguments=arguments)


@pytest.mark.celery_worker
def test_a_group_job_runs_on_the_worker_and_reports_progress(
    celery_worker, client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    job = start(user, "core.ping", [[], [], []], django_capture_on_commit_callbacks)
    status, _ = wait_until_ready(client, job)
    assert status["state"] == "SUCCESS"
    assert status["progress"] == {"done": 3, "total": 3}
    assert status["started"] and status["finished"]


@pytest.mark.celery_worker
def test_a_single_task_job_returns_its_result(
    celery_worker, client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    job = start(user, "core.ping", [[]], django_capture_on_commit_callbacks)
    status, _ = wait_until_ready(client, job)
    assert status["result"]["database"] == connection.vendor
    assert status["progress"] == {"done": 1, "total": 1}


@pytest.mark.celery_worker
def test_a_single_task_reports_its_own_progress(
    celery_worker, client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    job = start(user, "jobs_tests.count_to", [[20]], django_capture_on_commit_callbacks)
    status, seen = wait_until_ready(client, job)
    assert status["state"] == "SUCCESS"
    # Finished means the task returned, not merely reported 20 of 20 (it used to say SUCCESS,
    # with no result, between its last report and its return).
    assert status["result"] == {"counted": 20}
    assert status["progress"] == {"done": 1, "total": 1}
    partial = [s["progress"]["done"] for s in seen if s["state"] == "STARTED"]
    assert any(0 < done < 20 for done in partial), seen
    # Before its first report a started task counts as one unit of work; after it, as 20.
    assert all(
        s["progress"]["total"] == 20
        for s in seen
        if s["state"] == "STARTED" and s["progress"]["done"] > 0
    )


@pytest.mark.celery_worker
def test_a_failed_job_shows_its_error_and_retries_only_failures(
    celery_worker, client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    job = start(user, "jobs_tests.fail_on", [["ok"], ["bad"]], django_capture_on_commit_callbacks)
    status, _ = wait_until_ready(client, job)
    assert status["state"] == "FAILURE"
    assert status["error"] == "ValueError: cannot process bad"
    page = client.get(reverse("jobs:list")).content.decode()
    assert "cannot process bad" in page and ">Retry<" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    retry = Job.objects.get(retry_of=job)
    assert [task["args"] for task in retry.tasks] == [["bad"]]
    assert wait_until_ready(client, retry)[0]["state"] == "FAILURE"


@pytest.fixture
def tasks_in_process(monkeypatch):
    """The embedded profile: no broker, so tasks run in the process that queues them."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.mark.django_db(transaction=True)
def test_jobs_work_in_the_embedded_profile_with_tasks_run_in_process(tasks_in_process):
    job = job_start(user=UserFactory(), name="Embedded", task_name="core.ping", arguments=[[], []])
    status = job_statuses([job])[job.pk]
    assert (status.state, status.done, status.total) == ("SUCCESS", 2, 2)


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_profile_a_failed_task_is_the_jobs_failure_not_the_callers(
    tasks_in_process,
):
    job = job_start(
        user=UserFactory(), name="Embedded", task_name="jobs_tests.fail_on", arguments=[["bad"]]
    )
    status = job_statuses([job])[job.pk]
    assert (status.state, status.error) == ("FAILURE", "ValueError: cannot process bad")


@pytest.mark.django_db
def test_a_queued_job_is_pending_and_people_see_only_their_own(client):
    owner, other = UserFactory(), UserFactory()
    job = Job.objects.create(
        user=owner,
        name="Queued",
        task_name="core.ping",
        tasks=[{"id": str(uuid.uuid4()), "args": []}],
    )
    client.force_login(other)
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert b"Queued" not in client.get(reverse("jobs:list")).content
    client.force_login(owner)
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "PENDING" and status["progress"] == {"done": 0, "total": 1}
    client.force_login(StaffFactory())
    assert b"Queued" in client.get(reverse("jobs:list")).content


@pytest.mark.django_db
def test_jobs_pages_need_login_and_retry_needs_post(client):
    assert client.get(reverse("jobs:list")).status_code == 302
    job = Job.objects.create(name="x", task_name="core.ping", tasks=[])
    client.force_login(StaffFactory())
    assert client.get(reverse("jobs:retry", args=[job.pk])).status_code == 405
    assert client.get("/jobs/not-a-uuid/status/").status_code == 404
