"""Where a request's CPU time goes, by part of the stack: the per-request breakdown.

    .venv/bin/python bench/breakdown.py

Runs requests in this process through Django's WSGI handler (production settings, PostgreSQL,
Redis, the database bench/pages.py seeds, so run that first) under cProfile with a CPU-time
clock, and adds up each function's own time by where it lives: the database layer, the cache,
templates, sessions and authentication, the CSP header, Guidebook's own code, the rest of
Django (request handling and middleware) and everything else. Profiled: an anonymous reader's
cached home page and guide page, a signed-in reader's "my images" and jobs, and a vote. The
profiler's own overhead inflates every figure alike; the shares are what to read, next to the
real rates of bench/pages.py and bench/votes.py.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_pages (seeded
                      by bench/pages.py; its sessions are replaced)
  BENCH_REQUESTS 1000 (per kind of request)
"""

import cProfile
import io
import os
import pstats
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

DATABASE_URL = harness.database_url("guidebook_bench_pages")
REQUESTS = harness.env_int("BENCH_REQUESTS", 1000)
POLLS, CHOICES = 5, ["Mountains", "Sea", "City", "Forest"]
# Where a function's file lives -> its part of the stack; the first match counts.
PARTS = [
    ("database", ("/django/db/", "/psycopg/", "/psycopg_pool/")),
    ("cache", ("/django/core/cache/", "/redis/")),
    ("templates", ("/django/template/", "/django/templatetags/", "/templatetags/")),
    ("sessions and auth", ("/django/contrib/sessions/", "/django/contrib/auth/", "/axes/")),
    ("CSP header", ("/csp/", "/guidebook/core/csp.py")),
    ("Guidebook code", ("/guidebook/",)),
    ("Django: handler, URLs, middleware", ("/django/",)),
]
OTHER = "Python and other libraries"


def environ(path: str, method: str = "GET", body: bytes = b"", cookie: str = "") -> dict:
    query = path.partition("?")[2]
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.partition("?")[0],
        "QUERY_STRING": query,
        "SERVER_NAME": harness.LOCALHOST,
        "SERVER_PORT": "80",
        "HTTP_HOST": harness.LOCALHOST,
        "REMOTE_ADDR": harness.LOCALHOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_COOKIE": cookie,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def call(application, env: dict) -> str:
    statuses = []
    chunks = application(env, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return statuses[0]


def profile(application, environs: list[dict], expected: str) -> dict[str, float]:
    """CPU milliseconds per request, by part, over `environs` (each used once)."""
    for env in environs[:20]:  # warm: connections, templates, the cache entry
        assert call(application, env).startswith(expected)
    environs = environs[20:]
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for env in environs:
        call(application, env)
    profiler.disable()
    totals = dict.fromkeys([name for name, _ in PARTS] + [OTHER], 0.0)
    stats = pstats.Stats(profiler)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        part = next((name for name, marks in PARTS if any(m in filename for m in marks)), OTHER)
        totals[part] += own
    if os.environ.get("BENCH_TOP"):  # the costliest functions, to see what a part is made of
        stats.sort_stats("tottime").print_stats(int(os.environ["BENCH_TOP"]))
    return {name: 1000 * seconds / len(environs) for name, seconds in totals.items()}


def main() -> int:
    static_root = harness.temporary_dir("static")
    environment = harness.production_environment(
        DATABASE_URL, static_root, 1, CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//"
    )
    try:
        harness.prepare_site(environment, destructive="bench/breakdown.py replaces sessions")
        from django.core.wsgi import get_wsgi_application

        from guidebook.guides.models import Guide

        guide = Guide.objects.filter(slug="bench-guide-0").first()
        if guide is None:
            sys.exit("bench/breakdown.py needs bench/pages.py's content: run bench/pages.py first")
        count = REQUESTS + 20
        sessions = harness.create_voters(-(-count // POLLS))
        polls = harness.create_polls(POLLS, CHOICES)
        secret = harness.csrf_secret()
        application = get_wsgi_application()
        reader = f"sessionid={sessions[0]}; csrftoken={secret}"
        ballots = [
            environ(
                f"/polls/{question_id}/vote/",
                "POST",
                urlencode({"csrfmiddlewaretoken": secret, "choice": choices[0]}).encode(),
                f"sessionid={session}; csrftoken={secret}",
            )
            for session in sessions
            for question_id, choices in polls
        ][:count]
        kinds = {
            "home (cached)": ([environ("/") for _ in range(count)], "200"),
            "guide (cached)": (
                [environ(guide.get_absolute_url()) for _ in range(count)],
                "200",
            ),
            "my images (signed in)": (
                [environ("/images/mine/", cookie=reader) for _ in range(count)],
                "200",
            ),
            "jobs (signed in)": (
                [environ("/jobs/", cookie=reader) for _ in range(count)],
                "200",
            ),
            "vote": (ballots, "302"),
        }
        results = {
            name: profile(application, envs, status) for name, (envs, status) in kinds.items()
        }
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    print(f"CPU ms per request by part of the stack (cProfile, {REQUESTS} requests each)")
    names = list(results)
    print(f"{'part':<36}" + "".join(f"{name:>24}" for name in names))
    for part in [name for name, _ in PARTS] + [OTHER, "total"]:
        cells = []
        for name in names:
            value = sum(results[name].values()) if part == "total" else results[name][part]
            share = value / sum(results[name].values())
            cells.append(f"{value:>15.3f} ({share:>4.0%})")
        print(f"{part:<36}" + "".join(f"{cell:>24}" for cell in cells))
    rows = [
        harness.summary_row(
            f"{name}: CPU ms per request under cProfile; "
            + ", ".join(f"{part} {ms:.2f}" for part, ms in parts.items()),
            sum(parts.values()),
            "ms",
            target=None,
            met=None,
        )
        for name, parts in results.items()
    ]
    harness.write_summary(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
