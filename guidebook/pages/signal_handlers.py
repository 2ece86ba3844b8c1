"""Flatpage content is cleaned before every save, whatever path it came by (admin, code,
fixtures). FlatPage is a contrib model we cannot give a save() of our own, hence pre_save; raw
fixture loads are cleaned too, on purpose: a fixture is input like any other."""

from django.contrib.flatpages.models import FlatPage
from django.db.models.signals import pre_save

from guidebook.core.caching import invalidate_on_change
from guidebook.core.sanitize import clean_rich_text


def clean_flatpage_content(sender, instance, **kwargs):
    instance.content = clean_rich_text(instance.content)


def connect() -> None:
    pre_save.connect(
        clean_flatpage_content, sender=FlatPage, dispatch_uid="pages.clean_flatpage_content"
    )
    invalidate_on_change(FlatPage, ["pages"])  # the cached flatpages (core/caching.py)
