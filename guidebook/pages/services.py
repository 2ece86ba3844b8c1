"""Writes on pages: saving a flatpage records `pages.page.updated` in the same transaction."""

from django.contrib.flatpages.models import FlatPage
from django.db import transaction

from guidebook.events.services import publish


@transaction.atomic
def page_save(*, page: FlatPage) -> FlatPage:
    page.save()  # content is cleaned by the pre_save receiver (signal_handlers.py)
    publish("pages.page.updated", {"page_id": page.pk, "title": page.title, "url": page.url})
    return page
