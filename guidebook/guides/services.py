"""Writes on guides: publishing and unpublishing, with the domain event in the same transaction."""

from django.db import transaction
from django.utils import timezone

from guidebook.events.services import publish

from .models import Guide


@transaction.atomic
def guide_publish(*, guide: Guide) -> Guide:
    """Publish `guide` (saving any other changes made to it) and record
    `guides.guide.published` if it was not published before. A pub_date in the future keeps the
    guide out of sight until then; the event is still recorded now, when the editor acts."""
    was_published = (
        guide.pk is not None
        and Guide.objects.filter(pk=guide.pk, status=Guide.Status.PUBLISHED).exists()
    )
    guide.status = Guide.Status.PUBLISHED
    if guide.pub_date is None:
        guide.pub_date = timezone.now()
    guide.save()
    if not was_published:
        publish(
            "guides.guide.published",
            {
                "guide_id": guide.pk,
                "title": guide.title,
                "author": guide.author.get_username(),
                "url": guide.get_absolute_url(),
            },
        )
    return guide


@transaction.atomic
def guide_unpublish(*, guide: Guide) -> Guide:
    guide.status = Guide.Status.DRAFT
    guide.save(update_fields=["status", "updated"])
    return guide
