"""Late acknowledgement in practice: a worker process killed mid-task loses nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

ROOT = Path(__file__).resolve().parents[3]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.celery_worker
def test_sigkill_mid_task_runs_the_task_again_to_completion(rabbitmq_url, tmp_path):
    from guidebook.core.tests.worker_tasks import slow_first_time

    # A queue of its own: the in-process test worker must not take this task.
    queue = f"worker-loss{settings.RUN_SUFFIX}"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--include",
            "guidebook.core.tests.worker_tasks",
            "--queues",
            queue,
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    marker = tmp_path / "attempts.txt"
    try:
        slow_first_time.apply_async(args=[str(marker)], queue=queue)
        wait_for(
            lambda: marker.exists() and len(marker.read_text().split()) == 2,
            60,
            "the first attempt to start",
        )
        child_pid = int(marker.read_text().split()[1])
        assert child_pid != worker.pid  # a pool process, not the main worker
        os.kill(child_pid, signal.SIGKILL)
        wait_for(
            lambda: marker.read_text().endswith("done"),
            60,
            f"the task to run again; worker log: {tmp_path / 'worker.log'}",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        with Connection(rabbitmq_url) as connection:
            connection.default_channel.queue_delete(queue)
            connection.default_channel.exchange_delete(queue)
    attempts = marker.read_text().splitlines()
    assert [line.split()[0] for line in attempts] == ["started", "started", "done"]
    assert attempts[1].split()[1] != str(child_pid)
