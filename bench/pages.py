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

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/guidebook_bench_pages")
GUIDES = int(os.environ.get("BENCH_GUIDES", "240"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
ROUNDS = 4
TARGET_RATIO = 0.4
HTTP_TIMEOUT = 30
BUDGET_SECONDS = 170  # the whole run stays under three minutes
DEADLINE = time.monotonic() + BUDGET_SECONDS
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
def check_deadline(step: str) -> None:
    if time.monotonic() > DEADLINE:
        sys.exit(f"bench/pages.py: over its {BUDGET_SECONDS} s budget during {step}; "
                 "try fewer BENCH_REQUESTS")


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"bench/pages.py replaces content in {name!r}: "
                 "BENCH_DATABASE_URL must name a database whose name contains 'bench'")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def site_environment(static_root: str, media_root: str) -> dict[str, str]:
    """What a production deployment would set, pointed at the bench database, loopback only."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no TLS proxy in front
        "STATIC_ROOT": static_root,
        "MEDIA_ROOT": media_root,
        "CELERY_BROKER_URL": "",  # renditions are made in-process while seeding
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling in the middle of a measurement
    }


def prepare_site() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


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

    author, _ = User.objects.get_or_create(username=AUTHOR,
                                           defaults={"email": "bench@example.com"})
    Guide.objects.filter(author=author).delete()
    Image.objects.filter(owner=author).delete()
    images = [image_create(owner=author, description=f"Bench view {n}",
                           file=SimpleUploadedFile(f"bench-{n}.jpg", landscape(
                               (120 + 20 * n, 180, 235 - 20 * n), (40, 90 + 10 * n, 140), n)))
              for n in range(6)]
    categories = [Category.objects.get_or_create(slug=f"bench-{n}",
                                                 defaults={"name": f"Bench category {n}"})[0]
                  for n in range(8)]
    tags = [Tag.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"bench{n}"})[0]
            for n in range(12)]
    body = "<h2>Why go</h2>" + "<p>A paragraph of <strong>useful</strong> advice.</p>" * 12
    now = timezone.now()
    with transaction.atomic():
        guides = Guide.objects.bulk_create([
            Guide(title=f"Bench guide {n}", slug=f"bench-guide-{n}", author=author,
                  category=categories[n % len(categories)], excerpt=f"Summary of guide {n}.",
                  body=body, status=Guide.Status.PUBLISHED, featured=n % 20 == 0,
                  pub_date=now - timedelta(hours=6 * n + 1))
            for n in range(count)])
        GuideImage.objects.bulk_create([
            GuideImage(guide=guide, image=images[(n + k) % len(images)], position=k,
                       caption=f"View {k + 1}")
            for n, guide in enumerate(guides) for k in range(2)])
        Through = Guide.tags.through
        Through.objects.bulk_create([
            Through(guide_id=guide.pk, tag_id=tags[(n + k) % len(tags)].pk)
            for n, guide in enumerate(guides) for k in range(3)])
    return {
        "home": "/",
        "guide list": "/guides/",
        "guide detail": guides[0].get_absolute_url(),
        "category": categories[0].get_absolute_url(),
        "RSS feed": "/guides/feed/rss/",
    }


# ------------------------------------------------------------------------------ gunicorn and HTTP
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, path: str) -> int:
    """One GET on a fresh connection (gunicorn's sync workers close it after each response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def start_gunicorn(environment: dict[str, str], port: int, log) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
               "--access-logfile", "/dev/null", "bench.pages:application"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environment},  # noqa: S603
                              stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            if request(port, "/bench/bare/") == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn did not answer on port {port} within 30 s; see {log.name}")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=25)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def timed(port: int, path: str, count: int) -> tuple[float, int]:
    """`count` GETs of `path`, CONCURRENCY at a time: (seconds, number answered 200)."""
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        started = time.perf_counter()
        statuses = list(pool.map(lambda _: request(port, path), range(count)))
        return time.perf_counter() - started, sum(status == 200 for status in statuses)


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
        check_deadline(f"measuring {path}")
    failures = ROUNDS * size * 2 - page_ok - bare_ok
    return page_ok / page_seconds, bare_ok / bare_seconds, failures


# ------------------------------------------------------------------------------ run
def main() -> int:
    static_root = tempfile.mkdtemp(prefix="guidebook-bench-static-")
    media_root = tempfile.mkdtemp(prefix="guidebook-bench-media-")
    environment = site_environment(static_root, media_root)
    os.environ.update(environment)
    ensure_database(DATABASE_URL)
    prepare_site()
    pages = seed_guides(GUIDES)
    check_deadline("setup")

    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="guidebook-bench-gunicorn-", suffix=".log",  # noqa: SIM115
                                      delete=False)
    server = start_gunicorn(environment, port, log)
    results = {}
    try:
        for path in [*pages.values(), "/bench/bare/"]:  # warm every worker on every page
            timed(port, path, 4 * WORKERS)
        for name, path in pages.items():
            results[name] = measure(port, path)
    finally:
        stop(server)
        log.close()
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)

    print(f"gunicorn: {WORKERS} sync workers · PostgreSQL · {GUIDES} guides, 2 pictures each · "
          f"{REQUESTS} requests per page at concurrency {CONCURRENCY} · log {log.name}")
    print(f"{'page':<14} {'req/s':>8} {'bare req/s':>11} {'ratio':>6}")
    healthy = True
    for name, (page_rate, bare_rate, failures) in results.items():
        ratio = page_rate / bare_rate
        verdict = "ok" if ratio >= TARGET_RATIO and not failures else "FAIL"
        healthy &= verdict == "ok"
        print(f"{name:<14} {page_rate:>8.0f} {bare_rate:>11.0f} {ratio:>6.2f}  {verdict}"
              + (f" ({failures} requests failed)" if failures else ""))
    print(f"target: ratio ≥ {TARGET_RATIO} for every page")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
