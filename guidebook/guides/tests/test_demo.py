from io import StringIO

import pytest
from django.core.management import call_command

from guidebook.guides.models import Guide

pytestmark = pytest.mark.django_db


def test_demo_guides_read_like_articles():
    """The demo shows what the guide page is for: a cover and a gallery, a real quotation,
    and a body that does not repeat the lede shown above it."""
    call_command("seed_demo", stdout=StringIO())
    guides = list(Guide.objects.for_cards())
    assert guides
    for guide in guides:
        assert not guide.body_repeats_excerpt, guide
        assert guide.excerpt not in guide.body, guide
        assert "<blockquote>" in guide.body and "padding-left" not in guide.body
        assert guide.cover_item is not None and guide.cover_item.caption
        assert len(guide.gallery_items) == 2
