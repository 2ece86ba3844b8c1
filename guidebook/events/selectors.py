"""Reading the activity feed as the public may see it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .activity import TOGETHER
from .models import Activity

# What an anonymous visitor may see of each kind of subject, at the moment of asking: a guide
# scheduled for next month, a members-only page or an image made private after its upload stay
# out of the feed until (and unless) they become public.
PUBLIC: dict[str, Callable[[QuerySet], QuerySet]] = {
    "accounts.user": lambda users: users.filter(is_active=True),
    "guides.guide": lambda guides: guides.published(),
    "images.image": lambda images: images.public(),
    "polls.question": lambda questions: questions.published(),
    "flatpages.flatpage": lambda pages: pages.filter(
        registration_required=False, sites=settings.SITE_ID
    ),
}


def visible_subjects(label: str, ids: set[str]) -> set[str]:
    if label not in PUBLIC:
        return set()  # a kind of subject nobody said is public is not
    model = apps.get_model(label)
    candidates = [pk for pk in ids if pk.isdigit()]
    queryset = PUBLIC[label](model._default_manager.all()).filter(pk__in=candidates)
    return {str(pk) for pk in queryset.values_list("pk", flat=True)}


def activity_public(*, limit: int = 8, scan: int = 200) -> list[Activity]:
    """The newest `limit` lines an anonymous visitor may see, looking at most `scan` lines back:
    one query for the lines and one per kind of subject among them."""
    lines = list(Activity.objects.recent()[:scan])
    wanted: dict[str, set[str]] = {}
    for line in lines:
        if line.subject_type:
            wanted.setdefault(line.subject_type, set()).add(line.subject_id)
    visible = {label: visible_subjects(label, ids) for label, ids in wanted.items()}
    shown = [
        line
        for line in lines
        if not line.subject_type or line.subject_id in visible[line.subject_type]
    ]
    return shown[:limit]


@dataclass(frozen=True)
class ActivityGroup:
    """One line of the home page's recent activity: a line, or several lines of one kind about
    one subject on one day read together ("12 votes in “Tea?”")."""

    summary: str
    url: str
    count: int
    latest: datetime  # the newest of its lines

    @property
    def day(self) -> date:
        return timezone.localdate(self.latest)


def activity_grouped(*, limit: int = 8, scan: int = 200) -> list[ActivityGroup]:
    """The newest `limit` groups of what an anonymous visitor may see, newest first, from the
    lines `activity_public` finds `scan` lines back: the kinds in TOGETHER are grouped by
    subject and local day, the rest stay a line each."""
    groups: dict[tuple, list[Activity]] = {}
    for line in activity_public(limit=scan, scan=scan):
        if line.type in TOGETHER and line.subject_id:
            key: tuple = (
                line.type,
                line.subject_type,
                line.subject_id,
                timezone.localdate(line.occurred),
            )
        else:
            key = ("line", line.pk)
        groups.setdefault(key, []).append(line)
    shown = []
    for lines in list(groups.values())[:limit]:  # dicts keep the order of the newest line
        newest = lines[0]
        summary = (
            TOGETHER[newest.type](len(lines), newest.summary) if len(lines) > 1 else newest.summary
        )
        shown.append(ActivityGroup(summary, newest.url, len(lines), newest.occurred))
    return shown
