"""Cleaning rich text, and invalidating cached pages (caching.py) when their content changes.

Rich text is cleaned on every save path. Guide.save() covers forms and code; fixtures
(`loaddata`, raw saves) skip save() but still send pre_save, so they are cleaned here too:
unlike our other receivers this one must not skip raw loads, since a fixture is input like any
other."""

from django.db.models.signals import m2m_changed, pre_save

from guidebook.core.caching import bump_generation, invalidate_on_change
from guidebook.core.sanitize import clean_rich_text

from .models import Category, Guide, GuideImage, Tag


def clean_raw_guide_body(sender, instance, raw=False, **kwargs):
    if raw:
        instance.body = clean_rich_text(instance.body)


def connect() -> None:
    pre_save.connect(clean_raw_guide_body, sender=Guide, dispatch_uid="guides.clean_raw_body")
    # Anything a cached guide page shows (core/caching.py).
    invalidate_on_change(Guide, GuideImage, Category, Tag)
    m2m_changed.connect(
        bump_generation, sender=Guide.tags.through, dispatch_uid="guides.bump_cache.tags"
    )
