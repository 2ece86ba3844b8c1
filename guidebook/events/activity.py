"""The activity consumer: turns events into the home page's "recent activity" lines.

Each event type's `data` carries what its line needs, written by the emitting app:

    accounts.user.registered  {"user_id", "name", "url"}            "Ada joined"
    images.image.uploaded     {"image_id", "title", "owner", "url"}  "Ada shared an image “Dunes”"
    images.image.deleted      {"image_id", "title"}                  "The image “Dunes” was removed"
    guides.guide.published    {"guide_id", "title", "author", "url"} "Ada published “Lisbon”"
    polls.vote.cast           {"question_id", "question", "url"}     "Someone voted in “Tea?”"
    pages.page.updated        {"page_id", "title", "url"}            "The page “About” was updated"

A vote's line never names the voter (nor should the event carry who chose what). Missing fields
give a vaguer line rather than an error: a valid event must never end in the dead-letter queue
because its data is thinner than expected. Unknown types are recorded generically.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from guidebook.core.caching import invalidate

from .models import Activity

Line = tuple[str, str]  # (summary, actor)


def _quoted(text) -> str:
    text = str(text).strip()
    return f"“{text[:120]}…”" if len(text) > 120 else f"“{text}”"


def _user_registered(data: dict) -> Line:
    name = data.get("name") or "Someone new"
    return f"{name} joined", data.get("name", "")


def _image_uploaded(data: dict) -> Line:
    owner = data.get("owner") or "Someone"
    title = f" {_quoted(data['title'])}" if data.get("title") else ""
    return f"{owner} shared an image{title}", data.get("owner", "")


def _image_deleted(data: dict) -> Line:
    if data.get("title"):
        return f"The image {_quoted(data['title'])} was removed", ""
    return "An image was removed", ""


def _guide_published(data: dict) -> Line:
    author = data.get("author") or "Someone"
    title = _quoted(data["title"]) if data.get("title") else "a new guide"
    return f"{author} published {title}", data.get("author", "")


VOTED = "Someone voted in "


def _vote_cast(data: dict) -> Line:
    # Deliberately anonymous, whatever the event carries.
    if data.get("question"):
        return f"{VOTED}{_quoted(data['question'])}", ""
    return f"{VOTED}a poll", ""


def _page_updated(data: dict) -> Line:
    if data.get("title"):
        return f"The page {_quoted(data['title'])} was updated", ""
    return "A page was updated", ""


DESCRIBERS: dict[str, Callable[[dict], Line]] = {
    "accounts.user.registered": _user_registered,
    "images.image.uploaded": _image_uploaded,
    "images.image.deleted": _image_deleted,
    "guides.guide.published": _guide_published,
    "polls.vote.cast": _vote_cast,
    "pages.page.updated": _page_updated,
}


# How lines of one kind about one subject on one day read together on the home page: "12 votes in
# “Tea?”" rather than twelve "Someone voted in “Tea?”". Kinds not here are shown line by line.
TOGETHER: dict[str, Callable[[int, str], str]] = {
    "polls.vote.cast": lambda count, summary: f"{count} votes in {summary.removeprefix(VOTED)}",
}


# The thing each kind of line is about: its model and the key of its primary key in the data.
SUBJECTS: dict[str, tuple[str, str]] = {
    "accounts.user.registered": ("accounts.user", "user_id"),
    "images.image.uploaded": ("images.image", "image_id"),
    "guides.guide.published": ("guides.guide", "guide_id"),
    "polls.vote.cast": ("polls.question", "question_id"),
    "pages.page.updated": ("flatpages.flatpage", "page_id"),
}


def subject_of(event_type: str, data: dict) -> tuple[str, str]:
    """(model label, primary key) of what the line is about; an unknown subject of a kind that
    has one is ("<label>", ""), which the public feed never shows."""
    if event_type not in SUBJECTS:
        return "", ""
    label, key = SUBJECTS[event_type]
    return label, str(data.get(key) or "")[:64]


def describe(event_type: str, data: dict) -> Line:
    describer = DESCRIBERS.get(event_type)
    if describer is None:
        return f"Something happened ({event_type})", ""
    return describer(data)


def _local_url(url) -> str:
    """Only links within this site: an event's data must not put javascript: or another site's
    address on the home page."""
    url = str(url or "")
    return url if url.startswith("/") and not url.startswith(("//", "/\\")) else ""


def record_activity(envelope: dict) -> Activity:
    """Record one event as an Activity row; a duplicate delivery returns the existing row."""
    data = envelope["data"] if isinstance(envelope.get("data"), dict) else {}
    summary, actor = describe(envelope["type"], data)
    subject_type, subject_id = subject_of(envelope["type"], data)
    occurred = datetime.fromisoformat(envelope["time"])
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    activity = Activity(
        event_id=envelope["id"],
        type=envelope["type"][:100],
        actor=str(actor)[:150],
        summary=summary[:300],
        url=_local_url(data.get("url"))[:500],
        subject_type=subject_type,
        subject_id=subject_id,
        occurred=occurred,
    )
    # One INSERT … ON CONFLICT, which returns the id whether the row is new or a redelivered
    # event's (its line is the same: it is made from the same envelope). A consumer handles every
    # event of the site, so this is one statement where get_or_create took four.
    Activity.objects.bulk_create(
        [activity], update_conflicts=True, unique_fields=["event_id"], update_fields=["event_id"]
    )
    invalidate("activity")  # what a save() would have done (signal_handlers.py)
    return activity
