import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_staff else self.filter(user=user)


class Job(models.Model):
    """Work a person started and wants to follow: one Celery task, or a group of them.

    The tasks' states live in django-celery-results' table (so they survive restarts); a job
    records which task ids are its own and how to run them again.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    name = models.CharField(max_length=200)
    task_name = models.CharField(max_length=200)
    # One entry per task: {"id": <celery task id>, "args": [...]}.
    tasks = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("jobs:status", args=[self.pk])

    @property
    def task_ids(self) -> list[str]:
        return [task["id"] for task in self.tasks]
