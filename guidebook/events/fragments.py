"""The recent-activity fragment of the home page, cached on its own (core/caching.py): votes
change it many times a minute, the rest of the page seldom. It shows lines about guides, images,
polls and pages only while their subjects are visible, hence those topics."""

from django.template.loader import render_to_string

from guidebook.core.caching import register_fragment

from .selectors import activity_public


@register_fragment("recent-activity", topics=["activity", "guides", "images", "polls", "pages"])
def recent_activity(request) -> str:
    return render_to_string(
        "events/_recent_activity.html", {"activities": activity_public(limit=8)}, request
    )
