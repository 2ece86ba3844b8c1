"""Page throughput against a bare Django view rendering a 20-item template, in one run.

    .venv/bin/python bench/pages.py

Serves the site with gunicorn (production settings, the project's gunicorn.conf.py) on PostgreSQL,
on loopback only, with demo-sized content: GUIDES published guides (two pictures each, with
renditions, three tags, one of eight categories). Measures requests per second for the home
page, the guide list, a guide's detail page, a category page and the RSS feed, each against a
bare view (this module's `bare`) that renders a 20-item template behind the same gunicorn,
settings and middleware. Pages and the bare view alternate in rounds, so that load from
elsewhere on the machine weighs on both alike. Prints each page's requests/s and its ratio to
the bare view; the target is a ratio of at least 0.4 for every page.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_pages; created
                      if missing; its name must contain "bench" (its bench guides are replaced)
  BENCH_GUIDES 240 · BENCH_REQUESTS 400 (per page) · BENCH_CONCURRENCY 16
  BENCH_WORKERS       gunicorn workers, default 2 x CPUs + 1 as in gunicorn.conf.py
"""

import shutil
import sys
from pathlib import Path

# The project root, so that `bench.harness`, `config` and `guidebook` import however this runs.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

DATABASE_URL = harness.database_url("guidebook_bench_pages")
GUIDES = harness.env_int("BENCH_GUIDES", 240)
REQUESTS = harness.env_int("BENCH_REQUESTS", 400)
CONCURRENCY = harness.env_int("BENCH_CONCURRENCY", 16)
WORKERS = harness.gunicorn_workers()
ROUNDS = 4
TARGET_RATIO = 0.4
BUDGET_SECONDS = 170  # the whole run stays under three minutes
DEADLINE = harness.Deadline(
    BUDGET_SECONDS, "bench/pages.py", f"{BUDGET_SECONDS} s", "try fewer BENCH_REQUESTS"
)
AUTHOR = "bench-pages-author"


# ------------------------------------------------------------------------------ served by gunicorn
BARE_TEMPLATE = """<!doctype html><title>Bare</title><ul>
{% for item in items %}<li><a href="/guides/{{ item }}/">Item {{ item }}</a></li>{% endfor %}
</ul>"""
_wsgi = None


def bare(request):
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string(BARE_TEMPLATE)
    return HttpResponse(template.render({"items": range(20)}, request))


def application(environ, start_response):
    """gunicorn's entry point (`bench.pages:application`): the site, with /bench/bare/ added."""
    global _wsgi
    if _wsgi is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        _wsgi = get_wsgi_application()
        settings.ROOT_URLCONF = __name__  # this module's urlpatterns, below
    return _wsgi(environ, start_response)


def __getattr__(name):
    # The URLconf, built only when Django asks for it (not when the benchmark itself runs).
    if name == "urlpatterns":
        from django.urls import path

        from config.urls import urlpatterns

        return [path("bench/bare/", bare, name="bench-bare"), *urlpatterns]
    raise AttributeError(name)


# ------------------------------------------------------------------------------ setup
def site_environment(static_root: str, media_root: str) -> dict[str, str]:
    """What a production deployment would set, pointed at the bench database, loopback only."""
    return harness.production_environment(
        DATABASE_URL, static_root, WORKERS, MEDIA_ROOT=media_root, CELERY_BROKER_URL=""
    )  # renditions made in-process


def seed_guides(count: int) -> dict[str, str]:
    """Replace the bench author's guides and images; returns the paths to measure."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from guidebook.accounts.models import User
    from guidebook.guides.models import Category, Guide, GuideImage, Tag
    from guidebook.images.demo import landscape
    from guidebook.images.models import Image
    from guidebook.images.services import image_create

    author, _ = User.objects.get_or_create(username=AUTHOR, defaults={"email": "bench@example.com"})
    Guide.objects.filter(author=author).delete()
    Image.objects.filter(owner=author).delete()
    images = [
        image_create(
            owner=author,
            description=f"Bench view {n}",
            file=SimpleUploadedFile(
                f"bench-{n}.jpg",
                landscape((120 + 20 * n, 180, 235 - 20 * n), (40, 90 + 10 * n, 140), n),
            ),
        )
        for n in range(6)
    ]
    categories = [
        Category.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench category {n}"})[
            0
        ]
        for n in range(8)
    ]
    tags = [
        Tag.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"bench{n}"})[0]
        for n in range(12)
    ]
    body = "<h2>Why go</h2>" + "<p>A paragraph of <strong>useful</strong> advice.</p>" * 12
    now = timezone.now()
    with transaction.atomic():
        guides = Guide.objects.bulk_create(
            [
                Guide(
                    title=f"Bench guide {n}",
                    slug=f"bench-guide-{n}",
                    author=author,
                    category=categories[n % len(categories)],
                    excerpt=f"Summary of guide {n}.",
                    body=body,
                    status=Guide.Status.PUBLISHED,
                    featured=n % 20 == 0,
                    pub_date=now - timedelta(hours=6 * n + 1),
                )
                for n in range(count)
            ]
        )
        GuideImage.objects.bulk_create(
            [
                GuideImage(
                    guide=guide,
                    image=images[(n + k) % len(images)],
                    position=k,
                    caption=f"View {k + 1}",
                )
                for n, guide in enumerate(guides)
                for k in range(2)
            ]
        )
        Through = Guide.tags.through
        Through.objects.bulk_create(
            [
                Through(guide_id=guide.pk, tag_id=tags[(n + k) % len(tags)].pk)
                for n, guide in enumerate(guides)
                for k in range(3)
            ]
        )
    return {
        "home": "/",
        "guide list": "/guides/",
        "guide detail": guides[0].get_absolute_url(),
        "category": categories[0].get_absolute_url(),
        "RSS feed": "/guides/feed/rss/",
    }


# ------------------------------------------------------------------------------ HTTP
def get(port: int, path: str) -> int:
    """One GET on a fresh connection: its status."""
    return harness.request(port, "GET", path, headers={"Host": "127.0.0.1"})[0]


def timed(port: int, path: str, count: int) -> tuple[float, int]:
    """`count` GETs of `path`, CONCURRENCY at a time: (seconds, number answered 200)."""
    seconds, statuses = harness.run_at_concurrency([lambda: get(port, path)] * count, CONCURRENCY)
    return seconds, sum(status == 200 for status in statuses)


def measure(port: int, path: str) -> tuple[float, float, int]:
    """Requests/s for `path` and for the bare view, alternating in ROUNDS rounds."""
    size = -(-REQUESTS // ROUNDS)
    page_seconds = bare_seconds = 0.0
    page_ok = bare_ok = 0
    for _ in range(ROUNDS):
        seconds, ok = timed(port, path, size)
        page_seconds, page_ok = page_seconds + seconds, page_ok + ok
        seconds, ok = timed(port, "/bench/bare/", size)
        bare_seconds, bare_ok = bare_seconds + seconds, bare_ok + ok
        DEADLINE.check(f"measuring {path}")
    failures = ROUNDS * size * 2 - page_ok - bare_ok
    return page_ok / page_seconds, bare_ok / bare_seconds, failures


# ------------------------------------------------------------------------------ run
def main() -> int:
    static_root = harness.temporary_dir("static")
    media_root = harness.temporary_dir("media")
    environment = site_environment(static_root, media_root)
    harness.prepare_site(environment, destructive="bench/pages.py replaces content")
    pages = seed_guides(GUIDES)
    DEADLINE.check("setup")

    server = harness.Gunicorn(
        "bench.pages:application", environment, WORKERS, options=["--access-logfile", "/dev/null"]
    )
    port, log = server.port, server.log
    results = {}
    try:
        for path in [*pages.values(), "/bench/bare/"]:  # warm every worker on every page
            timed(port, path, 4 * WORKERS)
        for name, path in pages.items():
            results[name] = measure(port, path)
    finally:
        server.stop()
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)

    print(
        f"gunicorn: {WORKERS} sync workers · PostgreSQL · {GUIDES} guides, 2 pictures each · "
        f"{REQUESTS} requests per page at concurrency {CONCURRENCY} · log {log.name}"
    )
    print(f"{'page':<14} {'req/s':>8} {'bare req/s':>11} {'ratio':>6}")
    healthy = True
    rows = []
    for name, (page_rate, bare_rate, failures) in results.items():
        ratio = page_rate / bare_rate
        verdict = "ok" if ratio >= TARGET_RATIO and not failures else "FAIL"
        rows.append(
            harness.summary_row(
                f"{name} `{pages[name]}` ({REQUESTS} requests, {CONCURRENCY} concurrent; "
                f"baseline: bare 20-item template)"
                + (f"; {failures} requests failed" if failures else ""),
                page_rate,
                "req/s",
                baseline=bare_rate,
                baseline_unit="req/s",
                ratio=ratio,
                target=f"≥ {TARGET_RATIO}",
                met=verdict == "ok",
            )
        )
        healthy &= verdict == "ok"
        print(
            f"{name:<14} {page_rate:>8.0f} {bare_rate:>11.0f} {ratio:>6.2f}  {verdict}"
            + (f" ({failures} requests failed)" if failures else "")
        )
    print(f"target: ratio ≥ {TARGET_RATIO} for every page")
    harness.write_summary(rows)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
