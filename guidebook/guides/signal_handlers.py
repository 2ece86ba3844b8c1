"""Cleaning rich text, and invalidating cached pages (caching.py) when their content changes.

Rich text is cleaned on every save path. Guide.save() covers forms and code; fixtures
(`loaddata`, raw saves) skip save() but still send pre_save, so they are cleaned here too:
unlike our other receivers this one must not skip raw loads, since a fixture is input like any
other."""

from django.db.models.signals import m2m_changed, pre_save

from guidebook.accounts.models import Profile
from guidebook.core.caching import invalidate, invalidate_on_change
from guidebook.core.sanitize import clean_rich_text
from guidebook.images.models import Image, Rendition

from .models import Category, Guide, GuideImage, Tag

# What the cached guide pages (the list, a guide, archives, categories, tags, the feeds, the home
# page) show of guides.
TOPIC = "guides"


def clean_raw_guide_body(sender, instance, raw=False, **kwargs):
    if raw:
        instance.body = clean_rich_text(instance.body)


def retagged(**kwargs) -> None:
    invalidate(TOPIC)


def pictured(image_id) -> list[str]:
    """A picture's change shows on guide pages only if a guide shows it (an upload does not)."""
    return [TOPIC] if GuideImage.objects.filter(image_id=image_id).exists() else []


def authored(profile) -> list[str]:
    """A byline shows its author's display name: a profile's change shows on guide pages only
    if its user wrote a guide."""
    return [TOPIC] if Guide.objects.filter(author_id=profile.user_id).exists() else []


def connect() -> None:
    pre_save.connect(clean_raw_guide_body, sender=Guide, dispatch_uid="guides.clean_raw_body")
    # Anything a cached guide page shows (core/caching.py).
    for model in (Guide, GuideImage, Category, Tag):
        invalidate_on_change(model, [TOPIC])
    m2m_changed.connect(retagged, sender=Guide.tags.through, dispatch_uid="guides.cache.tags")
    invalidate_on_change(Image, lambda image: pictured(image.pk), name=TOPIC)
    invalidate_on_change(Rendition, lambda rendition: pictured(rendition.image_id), name=TOPIC)
    invalidate_on_change(Profile, authored, name=TOPIC)
