"""Whole-page caching of public pages for anonymous readers, invalidated by topic.

A cached page depends on topics: "guides", "polls", "poll:7:votes" and so on. Each topic has a
version in the shared cache (Redis in production: every web process sees the same versions), a
random token that `invalidate()` replaces once the change's transaction commits. A page entry
records the versions of its topics as they were *before* the page was rendered, and is a hit
only while they all still match: a page rendered from data older than a commit can never
outlive that commit's invalidation. A hit is one round trip to the cache (`get_many` of the
entry, its topics' versions and its fragments) and no database query.

Each app says which changes touch which topics (its signal_handlers, with
`invalidate_on_change`), and each cached URL which topics it shows (its urls, with
`cache_public_page`). A vote therefore empties its poll's results page and nothing else.

A part of a page that changes much more often than the page, such as the home page's recent
activity, is a fragment (`register_fragment`, `{% fragment %}`): cached under its own key and
topics, and spliced into the cached page on every hit. A fragment may let some topics lag: the
recent activity shows new lines up to two seconds late, so that a stream of votes renders it at
most every two seconds (and once: the requests that find it late meanwhile get the lagging copy
while one of them renders it), while a guide that is unpublished leaves it at once.

Entries also expire after PAGE_CACHE_SECONDS, which bounds what no write announces: a scheduled
guide or poll that becomes due, a poll that closes, "3 minutes ago" growing older.

Public pages are cached for anonymous requests without a session or messages (their pages
carry no CSRF token and no per-user content). A signed-in reader's own pages (their images,
their jobs) are cached for each of them apart with `cache_private_page`: under a key of their
own and their browser's CSRF secret, with topics that name them ("user:{user}:images"), and only
while no message waits for them. A page whose rendering used the CSP nonce is never cached.
"""

import hashlib
import logging
import re
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from .compression import is_text

logger = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = 60
FRAGMENT_CACHE_SECONDS = 30
# The page entries' prefix names their format: (versions, content, type, holes, gzip pieces).
PAGE_PREFIX, FRAGMENT_PREFIX, TOPIC_PREFIX = "core:page2:", "core:fragment:", "core:topic:"
GZIP_MIN_LENGTH = 200  # as Django's GZipMiddleware: smaller bodies are sent as they are
MARKER = "<!--fragment:{}-->"
# Set on a request whose page is being rendered for the cache: the fragments it left holes for.
HOLES_ATTRIBUTE = "_cached_page_fragments"


def now() -> float:
    """The page cache's clock (tests move it on)."""
    return time.time()


# ------------------------------------------------------------------------------ topics
def topic_key(topic: str) -> str:
    return TOPIC_PREFIX + topic


def _new_versions(topics: Iterable[str]) -> None:
    versions = {topic_key(t): secrets.token_hex(8) for t in topics}
    try:
        if len(versions) == 1:  # a vote's one topic: a plain SET, not a MULTI/EXEC pipeline
            cache.set(*versions.popitem(), timeout=None)
        else:
            cache.set_many(versions, timeout=None)
    except Exception:
        # The change is committed; only its pages stay as they were, PAGE_CACHE_SECONDS at most.
        logger.exception("could not invalidate the cached pages of %s", ", ".join(topics))


def invalidate(*topics: str) -> None:
    """Empty the cached pages that show these topics, once the current transaction commits
    (at once outside one); nothing happens if it rolls back, or if there are no topics (a
    row that no cached page shows)."""
    if topics:
        transaction.on_commit(partial(_new_versions, topics), robust=True)


def invalidate_on_change(
    model, topics: Sequence[str] | Callable[[object], Iterable[str]], *, name: str = ""
) -> None:
    """Invalidate `topics` whenever a row of `model` is saved or deleted; `topics` may be a
    function of the row (e.g. its poll's results)."""

    def receiver(instance, raw=False, **kwargs):
        if not raw:
            invalidate(*(topics(instance) if callable(topics) else topics))

    uid = f"core.cache.{model._meta.label}.{name}"
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.save")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.delete")


def _versions(found: dict, topics: Sequence[str]) -> tuple[str, ...] | None:
    """The topics' versions among the values `found` by get_many, or None if one is missing
    (never invalidated yet, or evicted): then it gets a version, and this request is a miss."""
    versions = tuple(found.get(topic_key(t)) for t in topics)
    if None not in versions:
        return versions
    for topic, version in zip(topics, versions, strict=True):
        if version is None:
            cache.add(topic_key(topic), secrets.token_hex(8), timeout=None)
    return None


def current_versions(topics: Sequence[str]) -> tuple[str, ...] | None:
    """The topics' versions, giving the missing ones a version first; None only if the cache
    lost one again at once (then nothing is stored)."""
    keys = [topic_key(t) for t in topics]
    return _versions(cache.get_many(keys), topics) or _versions(cache.get_many(keys), topics)


def remember(key: str, topics: Sequence[str], compute: Callable[[], object], *, timeout: float):
    """compute()'s value, kept under `key` until one of `topics` is invalidated (or `timeout`
    seconds): a hit is one round trip to the cache. As for pages, the versions are read before
    compute() runs, so a value computed from rows that change meanwhile is stored under versions
    that are already stale, and never served. A None value is not stored."""
    found = cache.get_many([key, *map(topic_key, topics)])
    versions = _versions(found, topics)
    entry = found.get(key)
    if versions is not None and entry is not None and entry[0] == versions:
        return entry[1]
    if versions is None:  # a topic had no version yet, and has one now
        versions = current_versions(topics)
    value = compute()
    if versions is not None and value is not None:
        cache.set(key, (versions, value), timeout)
    return value


# ------------------------------------------------------------------------------ fragments
@dataclass(frozen=True)
class Fragment:
    name: str
    topics: tuple[str, ...]
    render: Callable[[HttpRequest], str]
    # Topics whose changes may show this many seconds late: a fragment rendered less than that
    # long ago is kept when only they changed. Fifteen votes a second would otherwise have every
    # request render the recent activity again.
    lag: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return FRAGMENT_PREFIX + self.name

    @property
    def rendering_key(self) -> str:
        """Held by the request that renders a copy that is only late (see html())."""
        return self.key + ":rendering"

    def cache_keys(self) -> list[str]:
        return [self.key, *(topic_key(t) for t in self.topics)]

    def html(self, request: HttpRequest, found: dict | None = None) -> str:
        """The fragment, from its cache entry if still valid (`found`: the result of a get_many
        that included `cache_keys()`), rendered and cached otherwise."""
        if found is None:
            found = cache.get_many(self.cache_keys())
        versions = _versions(found, self.topics)
        entry = found.get(self.key)
        if versions is not None and entry is not None:
            stored, html, rendered = entry
            changed = [
                t for t, old, new in zip(self.topics, stored, versions, strict=True) if old != new
            ]
            if not changed:
                return html
            if all(topic in self.lag for topic in changed):  # only late, not wrong
                if now() - rendered < min(self.lag[topic] for topic in changed):
                    return html
                if not cache.add(self.rendering_key, 1, 5):
                    return html  # another request is rendering it
        versions = versions or current_versions(self.topics)
        html = self.render(request)
        if versions is not None:
            cache.set(self.key, (versions, html, now()), FRAGMENT_CACHE_SECONDS)
            cache.delete(self.rendering_key)
        return html


FRAGMENTS: dict[str, Fragment] = {}


def register_fragment(name: str, *, topics: Sequence[str], lag: dict[str, float] | None = None):
    """Decorator: `render(request) -> str` renders the fragment `name`, which shows `topics`;
    changes to the topics in `lag` may show up to that many seconds late."""

    def decorator(render):
        FRAGMENTS[name] = Fragment(name, tuple(topics), render, dict(lag or {}))
        return render

    return decorator


def fragment_html(request: HttpRequest, name: str) -> str:
    """What `{% fragment name %}` puts in a page: a hole when the page is being rendered for the
    cache (filled on every hit), else the fragment itself."""
    holes = getattr(request, HOLES_ATTRIBUTE, None)
    if holes is not None:
        holes.append(name)
        return mark_safe(MARKER.format(name))  # noqa: S308 - a constant comment
    return mark_safe(FRAGMENTS[name].html(request))  # noqa: S308 - rendered by a template


def _fragments(
    names: Sequence[str], request: HttpRequest, found: dict, read: Sequence[str]
) -> list[bytes]:
    """The fragments `names`; `found` has what get_many returned for the fragments `read`."""
    return [
        FRAGMENTS[name].html(request, found if name in read else None).encode() for name in names
    ]


def _fill(content: bytes, names: Sequence[str], htmls: Sequence[bytes]) -> bytes:
    """`content` with the holes of the fragments `names` filled with `htmls`."""
    for name, html in zip(names, htmls, strict=True):
        content = content.replace(MARKER.format(name).encode(), html, 1)
    return content


# ------------------------------------------------------------------------------ gzip
# A cached public page is also stored gzipped, so that a hit sends stored bytes instead of
# compressing the page again (which cost a quarter of a hit: docs/deploy.md). It is stored as
# raw deflate pieces, one between each two fragment holes, each compressed on its own and ending
# on a byte boundary without a final block; a hit joins them with its fragments, compressed then,
# into one gzip stream. Public pages hold no secret, so BREACH has nothing to find in them
# (core/compression.py).
GZIP_ACCEPTED = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads Accept-Encoding
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
FINAL_BLOCK = b"\x03\x00"  # an empty last block


def _deflate(data: bytes) -> bytes:
    deflater = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return deflater.compress(data) + deflater.flush(zlib.Z_SYNC_FLUSH)


def gzip_pieces(content: bytes, holes: Sequence[str]) -> tuple[bytes, ...]:
    """`content` cut at its fragments' holes, each piece deflated on its own."""
    pieces = []
    for name in holes:
        before, _, content = content.partition(MARKER.format(name).encode())
        pieces.append(_deflate(before))
    return (*pieces, _deflate(content))


def gzip_join(pieces: Sequence[bytes], htmls: Sequence[bytes], content: bytes) -> bytes:
    """One gzip stream of the stored `pieces` with the fragments `htmls` between them; `content`
    is the whole page uncompressed, for the trailer's checksum and length."""
    body = [GZIP_HEADER, pieces[0]]
    for html, piece in zip(htmls, pieces[1:], strict=True):
        body += [_deflate(html), piece]
    trailer = struct.pack("<II", zlib.crc32(content), len(content) & 0xFFFFFFFF)
    return b"".join([*body, FINAL_BLOCK, trailer])


def _hit(request, entry, found, fragments) -> HttpResponse:
    _, content, content_type, holes, pieces = entry
    htmls = _fragments(holes, request, found, fragments)
    content = _fill(content, holes, htmls)
    if pieces is None or not GZIP_ACCEPTED.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(content, content_type)
    else:
        response = HttpResponse(gzip_join(pieces, htmls, content), content_type)
        response["Content-Encoding"] = "gzip"
    if pieces is not None:
        patch_vary_headers(response, ["Accept-Encoding"])
    response["Content-Length"] = str(len(response.content))
    return response


# ------------------------------------------------------------------------------ pages
def cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.COOKIES.get("messages")
    )


def page_key(request: HttpRequest) -> str:
    return PAGE_PREFIX + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def private_cacheable(request: HttpRequest) -> bool:
    """A signed-in reader's GET whose page may be cached for them: their CSRF secret is known
    (the page's forms carry a token made from it) and no message waits to be shown."""
    return (
        request.method in ("GET", "HEAD")
        and bool(request.META.get("CSRF_COOKIE"))
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.COOKIES.get("messages")
        and request.user.is_authenticated
        and "_messages" not in request.session
    )


def private_page_key(request: HttpRequest) -> str:
    """One reader's copy of a page, in one browser: the key holds their CSRF secret, which a new
    sign-in replaces, so the tokens in the cached forms are always that browser's own."""
    identity = f"{request.user.pk}\n{request.META['CSRF_COOKIE']}\n{request.get_full_path()}"
    return PAGE_PREFIX + "private:" + hashlib.sha256(identity.encode()).hexdigest()


def _cached_page(view, topics: Sequence[str], fragments: Sequence[str], *, private: bool):
    # URLconfs are imported once every app is ready, so the fragments are registered.
    parts = [key for name in fragments for key in FRAGMENTS[name].cache_keys()]

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if private:
            if not private_cacheable(request):
                return view(request, *args, **kwargs)
            key = private_page_key(request)
            page_topics = [topic.format(user=request.user.pk, **kwargs) for topic in topics]
        else:
            if not cacheable(request):
                return view(request, *args, **kwargs)
            key = page_key(request)
            page_topics = [topic.format(**kwargs) for topic in topics]
        found = cache.get_many([key, *(topic_key(t) for t in page_topics), *parts])
        versions = _versions(found, page_topics)
        entry = found.get(key)
        if versions is not None and entry is not None and entry[0] == versions:
            return _hit(request, entry, found, fragments)
        versions = versions or current_versions(page_topics)
        response = render(request, view, args, kwargs, key, versions, gzipped=not private)
        if holes := getattr(response, HOLES_ATTRIBUTE, None):
            htmls = _fragments(holes, request, found, fragments)
            response.content = _fill(response.content, holes, htmls)
        return response

    return cached_view


def cache_public_page(*topics: str, fragments: Sequence[str] = ()):
    """Decorator for a view whose page shows `topics`, cached for every anonymous reader; a
    topic may name the URL's arguments, as in "poll:{pk}:votes". `fragments` are the
    `{% fragment %}`s its page has, read in the same round trip as the page."""
    return partial(_cached_page, topics=topics, fragments=fragments, private=False)


def cache_private_page(*topics: str):
    """Decorator for a signed-in reader's own page (their images, their jobs), cached for each
    of them apart; a topic may name the reader, as in "user:{user}:images", or the URL's
    arguments. Anyone else, signed out included, gets the view as it is."""
    return partial(_cached_page, topics=topics, fragments=(), private=True)


def render(
    request, view, args, kwargs, key: str, versions: tuple[str, ...] | None, *, gzipped: bool
) -> HttpResponse:
    """The view's response, stored in the cache under `key` (with `versions`, read before
    rendering, and `gzipped` too if it is text worth compressing) when it is a whole, successful
    page; its fragments' holes are left to the caller to fill."""
    holes: list[str] = []
    setattr(request, HOLES_ATTRIBUTE, holes)
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    finally:
        delattr(request, HOLES_ATTRIBUTE)
    if response.streaming:
        return response
    setattr(response, HOLES_ATTRIBUTE, holes)
    if (
        response.status_code == 200
        and versions is not None
        and not isinstance(getattr(request, "_csp_nonce", None), str)
    ):
        compress = gzipped and is_text(response) and len(response.content) >= GZIP_MIN_LENGTH
        pieces = gzip_pieces(response.content, holes) if compress else None
        entry = (versions, response.content, response["Content-Type"], holes, pieces)
        cache.set(key, entry, PAGE_CACHE_SECONDS)
    return response
