"""What gzip costs a cached page and what it saves: the home page as the page cache serves it.

    .venv/bin/python bench/compression.py

Serves requests in this process through Django's WSGI handler (production settings, PostgreSQL,
Redis), on the demo content (`seed_demo`) plus GUIDES bench guides (bench/pages.py's) and a
recent activity line for each, in a database of its own. Measures, with a CPU-time clock:

- a cached home-page hit with `Accept-Encoding: gzip, deflate, br, zstd` (what browsers send:
  the page cache sends it from its stored gzip pieces, core/caching.py) against the same hit
  without (the baseline); the two kinds of request take turns one request at a time, REQUESTS
  of each, so that load from elsewhere on the machine weighs on both alike, and each figure is a
  median;
- the page's HTML compressed alone: gzip at levels 1, 5, 6 (what GZipMiddleware would do to
  each hit) and 9, brotli (installed already, for whitenoise) at qualities 1, 4, 5 and 11, and
  the stored pieces joined with the fragment as a hit does; checked to unzip to the page.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_compression;
                      created if missing; its name must contain "bench" (its content is replaced)
  BENCH_REDIS_URL     default redis://127.0.0.1:6379/12 (emptied)
  BENCH_GUIDES 60 · BENCH_REQUESTS 3000 (of each kind)
"""

import gzip
import io
import os
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

DATABASE_URL = harness.database_url("guidebook_bench_compression")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
GUIDES = harness.env_int("BENCH_GUIDES", 60)
REQUESTS = harness.env_int("BENCH_REQUESTS", 3000)
AUTHOR = "bench-compression-author"
BROWSER = harness.BROWSER_ACCEPT_ENCODING
GZIP_LEVELS = (1, 5, 6, 9)
BROTLI_QUALITIES = (1, 4, 5, 11)
FRAGMENT = "recent-activity"


def seed() -> None:
    """The demo content, the bench guides, and a recent activity line for each guide."""
    from django.core.management import call_command
    from django.db import transaction

    from bench.pages import seed_guides
    from guidebook.accounts.models import User
    from guidebook.events.activity import record_activity
    from guidebook.events.models import Activity

    call_command("seed_demo", stdout=io.StringIO())
    User.objects.get_or_create(username=AUTHOR)
    guides, _, _ = seed_guides(AUTHOR, GUIDES)
    with transaction.atomic():
        Activity.objects.filter(actor=AUTHOR).delete()
        for guide in guides:
            record_activity(
                {
                    "id": str(uuid.uuid4()),
                    "type": "guides.guide.published",
                    "time": guide.pub_date.isoformat(),
                    "data": {
                        "guide_id": guide.pk,
                        "title": guide.title,
                        "author": AUTHOR,
                        "url": guide.get_absolute_url(),
                    },
                }
            )


def environ(accept_encoding: str | None) -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": harness.LOCALHOST,
        "SERVER_PORT": "80",
        "HTTP_HOST": harness.LOCALHOST,
        "REMOTE_ADDR": harness.LOCALHOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    if accept_encoding is not None:
        env["HTTP_ACCEPT_ENCODING"] = accept_encoding
    return env


def get(application, env: dict) -> tuple[dict[str, str], bytes]:
    """The response's headers and body."""
    started = []
    chunks = application(dict(env), lambda status, headers, exc_info=None: started.append(headers))
    body = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return dict(started[0]), body


def hits(application) -> tuple[dict[str, float], dict[str, int], bytes]:
    """Median CPU µs of a home-page hit of each kind, its body's bytes, and the plain HTML."""
    kinds = {"plain": environ(None), "gzip (stored pieces)": environ(BROWSER)}
    for env in kinds.values():  # the cache entry, connections, code paths
        for _ in range(50):
            get(application, env)
    times: dict[str, list[float]] = {name: [] for name in kinds}
    sizes, html = {}, b""
    for _ in range(REQUESTS):
        for name, env in kinds.items():
            begin = time.process_time()
            headers, body = get(application, env)
            times[name].append(time.process_time() - begin)
            sizes[name] = len(body)
            if name == "plain":
                assert "Content-Encoding" not in headers, headers
                html = body
            else:
                assert headers.get("Content-Encoding") == "gzip", headers
                zipped = body
    assert gzip.decompress(zipped) == html
    return {name: 1e6 * statistics.median(t) for name, t in times.items()}, sizes, html


def cpu_us_per_call(function, repeat: int = 200) -> float:
    """CPU µs per call of `function`, the median of 5 batches."""
    batches = []
    for _ in range(5):
        begin = time.process_time()
        for _ in range(repeat):
            function()
        batches.append(1e6 * (time.process_time() - begin) / repeat)
    return statistics.median(batches)


# ------------------------------------------------------------------------------ stored gzip
def cache_entry_and_fragment(html: bytes) -> tuple[bytes, bytes, bytes]:
    """The home page's cache entry (with the fragment's hole), the hole and the fragment."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from guidebook.core.caching import MARKER, page_key

    entry = cache.get(page_key(RequestFactory().get("/")))[1]
    marker = MARKER.format(FRAGMENT).encode()
    head, _, tail = entry.partition(marker)
    fragment = html[len(head) : len(html) - len(tail)]
    assert head + fragment + tail == html, "the entry is not the page around its fragment"
    return entry, marker, fragment


# ------------------------------------------------------------------------------ run
def main() -> int:
    import brotli

    static_root = harness.temporary_dir("static")
    media_root = harness.temporary_dir("media")
    environment = harness.production_environment(
        DATABASE_URL,
        static_root,
        1,
        MEDIA_ROOT=media_root,
        CELERY_BROKER_URL="",  # renditions made in-process while seeding
        REDIS_URL=REDIS_URL,
    )
    try:
        harness.prepare_site(environment, destructive="bench/compression.py replaces content")
        seed()
        from django.core.wsgi import get_wsgi_application

        hit, sizes, html = hits(get_wsgi_application())
        entry, _, fragment = cache_entry_and_fragment(html)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)

    codecs = [
        (f"gzip level {level}", lambda level=level: gzip.compress(html, level, mtime=0))
        for level in GZIP_LEVELS
    ] + [
        (f"brotli quality {q}", lambda q=q: brotli.compress(html, quality=q))
        for q in BROTLI_QUALITIES
    ]
    from guidebook.core.caching import gzip_join, gzip_pieces

    pieces = gzip_pieces(entry, [FRAGMENT])
    assert gzip.decompress(gzip_join(pieces, [fragment], html)) == html
    codecs.append(("stored pieces, joined", lambda: gzip_join(pieces, [fragment], html)))
    alone = {name: (len(compress()), cpu_us_per_call(compress)) for name, compress in codecs}

    plain = hit["plain"]
    print(
        f"Home page hit (page cache), in-process WSGI, production settings, {REQUESTS} requests "
        "of each kind in turn, median CPU µs"
    )
    for name, us in hit.items():
        extra = "" if name == "plain" else f"  +{us - plain:4.0f} µs ({us / plain - 1:+.0%})"
        print(f"  {name:<24} {us:6.0f} µs {sizes[name]:7,} bytes{extra}")
    print(
        f"The home page's {len(html):,} bytes of HTML compressed alone (its recent activity: "
        f"{len(fragment):,} bytes; stored gzip: the rest compressed once, that per hit):"
    )
    for name, (size, us) in alone.items():
        print(f"  {name:<24} {us:6.0f} µs {size:7,} bytes ({size / len(html):4.0%})")

    rows = [
        harness.summary_row(
            f"home page hit (page cache), {name}: {sizes[name]:,} bytes (baseline: the same hit "
            "without Accept-Encoding; ratio: CPU with ÷ without)",
            us,
            "µs CPU",
            baseline=plain,
            baseline_unit="µs CPU",
            ratio=us / plain,
            target=None,
            met=None,
        )
        for name, us in hit.items()
        if name != "plain"
    ] + [
        harness.summary_row(
            f"the home page's HTML ({len(html):,} bytes) compressed alone by {name}: "
            f"{size:,} bytes",
            us,
            "µs CPU",
            target=None,
            met=None,
        )
        for name, (size, us) in alone.items()
    ]
    harness.write_summary(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
