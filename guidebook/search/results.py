"""What each hit of the search page shows: its title, kind, meta and snippet from the fields the
index stores, and for an image its picture, loaded for every image hit of the page at once."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from guidebook.images.models import Image

from .highlighting import query_pattern, quoted_snippet

# The badge on each hit; the facets name the kinds in the plural (services.KINDS).
KIND_LABELS = {"guide": "Guide", "page": "Page", "image": "Image", "poll": "Poll"}
UNTITLED = {"image": "Untitled image"}


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    kind: str
    kind_label: str
    date: datetime | None
    author: str | None
    category: str | None
    tags: list[str]
    snippet: SafeString
    thumbnail: Image | None = None


def page_hits(results: Iterable, query: str) -> list[Hit]:
    """The page's results as hits. An image hit whose image is no longer public (made private
    or deleted since it was indexed: Solr's index follows through the queue) is left out."""
    results = list(results)
    pattern = query_pattern(query)  # once for the page's snippets
    images = public_images([result.pk for result in results if result.kind == "image"])
    hits = []
    for result in results:
        thumbnail = images.get(str(result.pk)) if result.kind == "image" else None
        if result.kind == "image" and thumbnail is None:
            continue
        kind = result.kind or ""
        hits.append(
            Hit(
                title=result.title or UNTITLED.get(kind, "Untitled"),
                url=result.url or "",
                kind=kind,
                kind_label=KIND_LABELS.get(kind, kind.capitalize()),
                date=result.date,
                author=result.author or None,
                category=result.category or None,
                tags=list(result.tags or []),
                snippet=quoted_snippet(
                    pattern, stored(result, "passage"), stored(result, "summary")
                ),
                thumbnail=thumbnail,
            )
        )
    return hits


def stored(result, name: str) -> str:
    # A document indexed before `passage` and `summary` existed quotes nothing until the index
    # is rebuilt: never its document text, which holds the tags and the file names.
    return getattr(result, name, None) or ""


def public_images(pks: list[str]) -> dict[str, Image]:
    """The public images among `pks` with their renditions: two queries, however many."""
    if not pks:
        return {}
    images = Image.objects.public().for_display().filter(pk__in=pks)
    return {str(image.pk): image for image in images}
