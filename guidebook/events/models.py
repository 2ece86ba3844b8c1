import uuid
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class OutboxQuerySet(models.QuerySet):
    def pending(self):
        """Rows the relay has still to publish, oldest first (served by the partial index)."""
        return self.filter(published_at__isnull=True).order_by("created", "id")


class Outbox(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    The relay publishes pending rows to the events exchange and marks them published, so an event
    exists if and only if its change was committed, and a broker outage delays it but loses nothing.
    """

    id = models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        editable=False,
        help_text="The event's id; consumers use it to ignore duplicates.",
    )
    type = models.CharField(max_length=100, help_text="e.g. polls.vote.cast; the routing key.")
    version = models.PositiveSmallIntegerField(default=1)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    # Set in Python rather than by the database: rows written in one transaction keep the order in
    # which they were written (the database's now() is the same for the whole transaction).
    created = models.DateTimeField(default=timezone.now, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed publishing attempts.")
    last_error = models.TextField(blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = "outbox event"
        indexes = [
            models.Index(
                fields=["created", "id"],
                condition=models.Q(published_at__isnull=True),
                name="events_outbox_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.id}"

    def envelope(self) -> dict:
        """The message body every consumer receives."""
        return {
            "id": str(self.id),
            "type": self.type,
            "time": self.created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "version": self.version,
            "data": self.data,
        }


class ActivityQuerySet(models.QuerySet):
    def recent(self):
        return self.order_by("-occurred", "-id")


class Activity(models.Model):
    """One line of the site's public "recent activity", recorded from an event."""

    # Unique: a redelivered event finds its row already there, which makes consumers idempotent.
    event_id = models.UUIDField(unique=True, editable=False)
    type = models.CharField(max_length=100)
    # The name shown at the time, not a foreign key: the feed is a record of what was said.
    actor = models.CharField(max_length=150, blank=True)
    summary = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    # What the line is about ("guides.guide", "12"), so that the public feed can show it only
    # while an anonymous visitor may see that thing (events/selectors.py). Blank: about nothing
    # that can be hidden.
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    occurred = models.DateTimeField(db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self):
        return self.summary
