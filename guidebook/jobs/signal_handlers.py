from django_celery_results.models import TaskResult

from guidebook.core.caching import invalidate_on_change

from .models import Job


def connect() -> None:
    # The cached jobs pages (core/caching.py). A task's result row does not say whose job it is,
    # so any job's progress empties every reader's jobs page: only a page that is looked at
    # while jobs run is rendered again.
    invalidate_on_change(Job, ["jobs"])
    invalidate_on_change(TaskResult, ["jobs"])
