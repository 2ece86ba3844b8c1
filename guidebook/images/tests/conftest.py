import pytest
from celery import current_app


@pytest.fixture(autouse=True)
def tasks_in_process(request, monkeypatch):
    """Outside the real-worker tests, tasks run in-process when queued, as in the embedded
    profile (Celery's eager mode), so that no test leaves messages on a real broker for a later
    worker."""
    if "celery_worker" not in request.fixturenames:
        monkeypatch.setitem(current_app.conf, "task_always_eager", True)
