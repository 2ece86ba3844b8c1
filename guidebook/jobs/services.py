"""Starting jobs and reading their progress from Celery's result table."""

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from celery import current_app, group
from django.db import transaction
from django_celery_results.models import TaskResult

from .models import Job

READY = {"SUCCESS", "FAILURE", "REVOKED"}


def job_start(
    *, user, name: str, task_name: str, arguments: Iterable[Sequence], retry_of: Job | None = None
) -> Job:
    """Record a job and queue one `task_name` task per argument list once the transaction
    commits, as a Celery group when there are several."""
    tasks = [{"id": str(uuid.uuid4()), "args": list(args)} for args in arguments]
    job = Job.objects.create(
        user=user, name=name, task_name=task_name, tasks=tasks, retry_of=retry_of
    )
    # robust: the job is saved either way, and its page says what became of it; a broker that
    # is down must not turn that into an error page.
    transaction.on_commit(lambda: _apply(job), robust=True)
    return job


def job_retry(*, job: Job, user) -> Job:
    """Run a job's failed tasks again as a new job (every task is idempotent)."""
    status = job_statuses([job])[job.pk]
    failed = [task["args"] for task in job.tasks if task["id"] in status.failed_ids]
    return job_start(
        user=user,
        name=f"{job.name} (retry)",
        task_name=job.task_name,
        arguments=failed or [task["args"] for task in job.tasks],
        retry_of=job,
    )


def _apply(job: Job) -> None:
    signatures = [
        current_app.signature(job.task_name, args=task["args"]).set(task_id=task["id"])
        for task in job.tasks
    ]
    # With no broker the tasks run here, in the request, and a failure would propagate
    # (CELERY_TASK_EAGER_PROPAGATES) before Celery stores it: stored instead, as a worker
    # stores it, it is the job's failure on its page, not the request's 500.
    options = {"throw": False} if current_app.conf.task_always_eager else {}
    if len(signatures) == 1:
        signatures[0].apply_async(**options)
    else:
        group(signatures).apply_async(**options)


@dataclass(frozen=True)
class JobStatus:
    state: str  # PENDING, STARTED, PROGRESS, SUCCESS or FAILURE
    done: int
    total: int
    started: datetime | None
    finished: datetime | None
    result: object
    error: str
    failed_ids: frozenset[str]

    @property
    def ready(self) -> bool:
        return self.state in READY

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "ready": self.ready,
            "progress": {"done": self.done, "total": self.total},
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
            "result": self.result,
            "error": self.error or None,
        }


def job_statuses(jobs: Sequence[Job]) -> dict:
    """Each job's status, read with one query for all of their tasks."""
    ids = [task_id for job in jobs for task_id in job.task_ids]
    results = {r.task_id: r for r in TaskResult.objects.filter(task_id__in=ids)}
    return {
        job.pk: _status(job, [results.get(task_id) for task_id in job.task_ids]) for job in jobs
    }


def _status(job: Job, results: list) -> JobStatus:
    known = [r for r in results if r is not None]
    finished = [r for r in known if r.status in READY]
    failed = [r for r in known if r.status in ("FAILURE", "REVOKED")]
    done, total = len(finished), len(results)
    if total == 1 and known and known[0].status == "PROGRESS":
        # A single task reports its own progress: {"done": n, "total": m}. Its last report
        # (n = m) comes before it returns: the job is finished only when its task is.
        done, total = _progress_meta(known[0].result, total)
    if results and len(finished) == len(results):
        state = "FAILURE" if failed else "SUCCESS"
    elif any(r.status in ("STARTED", "PROGRESS", *READY) for r in known):
        state = "STARTED"
    else:
        state = "PENDING"
    return JobStatus(
        state=state,
        done=done,
        total=total,
        started=min((r.date_created for r in known), default=None),
        finished=max((r.date_done for r in finished), default=None) if state in READY else None,
        result=_decode(known[0].result) if len(results) == 1 and state == "SUCCESS" else None,
        error=_first_error(failed),
        failed_ids=frozenset(r.task_id for r in failed),
    )


def _decode(raw: str | None):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw


def _progress_meta(raw: str | None, total: int) -> tuple[int, int]:
    meta = _decode(raw)
    if isinstance(meta, dict) and "done" in meta and "total" in meta:
        return int(meta["done"]), int(meta["total"])
    return 0, total


def _first_error(failed: list) -> str:
    if not failed:
        return ""
    error = _decode(failed[0].result)
    if isinstance(error, dict):
        detail = error.get("exc_message", "")
        if isinstance(detail, list | tuple):
            detail = " ".join(map(str, detail))
        message = f"{error.get('exc_type', 'Error')}: {detail}"
    else:
        message = str(error)
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"{message}{more}"
