"""The recent-activity fragment of the home page, cached on its own (core/caching.py): votes
change it many times a minute, the rest of the page seldom. It shows lines about guides, images,
polls and pages only while their subjects are visible, hence those topics; a change to one of
them shows at once, a new line of activity up to ACTIVITY_LAG_SECONDS late."""

from django.template.loader import render_to_string

from guidebook.core.caching import register_fragment

from .selectors import activity_grouped

# New lines show up to this late: under a stream of votes (each one a line), the fragment is then
# rendered every two seconds instead of on nearly every request.
ACTIVITY_LAG_SECONDS = 2.0


@register_fragment(
    "recent-activity",
    topics=["activity", "guides", "images", "polls", "pages"],
    lag={"activity": ACTIVITY_LAG_SECONDS},
)
def recent_activity(request) -> str:
    return render_to_string(
        "events/_recent_activity.html", {"activities": activity_grouped(limit=6)}, request
    )
