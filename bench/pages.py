"""Page throughput as the site ships, against bare Django, alternating in one run.

    .venv/bin/python bench/pages.py

Serves the site with the Procfile's `web` command (gunicorn with gunicorn.conf.py, its worker
recycling included) under production settings, on PostgreSQL and Redis, loopback only, with the
demo content (`seed_demo`) and GUIDES more published guides (two pictures each, three tags, one
of eight categories). The Procfile's `relay` and `activity` processes run too, so that votes
become activity as in production. The baseline is bare Django (bench/bare_app.py: no middleware,
one view rendering a 20-item template) behind the same gunicorn command and configuration, in a
server of its own. wrk (Debian's package, installed if missing) loads each page and the bare view
in turn, ROUNDS times each, so that load from elsewhere on the machine weighs on both alike.

Prints, for every public page and a signed-in reader's pages, requests/s, the bare view's
requests/s in the same rounds, their ratio and the CPU milliseconds per request of the web
workers, PostgreSQL and Redis; then the home page's rate while VOTE_RATE votes a second are
being cast, against its quiet rate. Targets: public pages ≥ 0.60 of bare, signed-in pages
≥ 0.40, the home page under votes ≥ 0.85 of its quiet rate.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_pages; created
                      if missing; its name must contain "bench" (its bench content is replaced)
  BENCH_REDIS_URL     default redis://127.0.0.1:6379/13 (emptied)
  BENCH_BROKER_URL    default amqp://guest:guest@127.0.0.1:5672// (events, exchange of its own)
  BENCH_GUIDES 240 · BENCH_SECONDS 2 (per burst) · BENCH_CONNECTIONS 8 · BENCH_VOTE_RATE 16
  BENCH_WORKERS       gunicorn workers (WEB_CONCURRENCY), default 2 x CPUs + 1 as in
                      gunicorn.conf.py
"""

import io
import os
import shutil
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

# The project root, so that `bench.harness`, `config` and `guidebook` import however this runs.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

DATABASE_URL = harness.database_url("guidebook_bench_pages")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
GUIDES = harness.env_int("BENCH_GUIDES", 240)
SECONDS = harness.env_int("BENCH_SECONDS", 2)
CONNECTIONS = harness.env_int("BENCH_CONNECTIONS", 8)
VOTE_RATE = harness.env_int("BENCH_VOTE_RATE", 16)  # the target is under ≥ 15 votes/s
WORKERS = harness.gunicorn_workers()
CPUS = os.cpu_count() or 1
ROUNDS = 2
VOTE_ROUNDS = 4
PUBLIC_TARGET, SIGNED_IN_TARGET, UNDER_VOTES_TARGET = 0.60, 0.40, 0.85
VOTERS, POLLS, CHOICES = 80, 5, ["Mountains", "Sea", "City", "Forest"]
BUDGET_SECONDS = 420
DEADLINE = harness.Deadline(
    BUDGET_SECONDS, "bench/pages.py", f"{BUDGET_SECONDS} s", "try a smaller BENCH_SECONDS"
)


# ------------------------------------------------------------------------------ setup
def site_environment(static_root: str, media_root: str) -> dict[str, str]:
    """What a production deployment would set, pointed at the bench's services, loopback only."""
    return harness.production_environment(
        DATABASE_URL,
        static_root,
        WORKERS,
        MEDIA_ROOT=media_root,
        CELERY_BROKER_URL="",  # renditions made in-process while seeding
        EVENTS_BROKER_URL=BROKER_URL,
        EVENTS_EXCHANGE="guidebook-bench-pages",  # its queues are <exchange>.<name>: our own
    )


def seed_guides(author_name: str, count: int):
    """Replace the bench author's guides and images: (guides, categories, tags)."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from guidebook.accounts.models import User
    from guidebook.guides.models import Category, Guide, GuideImage, Tag
    from guidebook.images.demo import landscape
    from guidebook.images.models import Image
    from guidebook.images.services import image_create

    author = User.objects.get(username=author_name)
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
    return guides, categories, tags


def seed_site(author_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The demo content, the bench guides and a fresh search index: (public pages, the
    signed-in reader's pages), each a name -> path."""
    from django.contrib.flatpages.models import FlatPage
    from django.core.management import call_command
    from django.utils import timezone

    from guidebook.images.models import Image
    from guidebook.polls.models import Question

    call_command("seed_demo", stdout=io.StringIO())
    guides, categories, tags = seed_guides(author_name, GUIDES)
    call_command("rebuild_search_index", interactive=False, verbosity=0)
    guide = guides[0]
    local = timezone.localtime(guide.pub_date)
    poll = Question.objects.published().newest_first().first()
    image = Image.objects.public().recent().first()
    public = {
        "home": "/",
        "guide list": "/guides/",
        "guide": guide.get_absolute_url(),
        "category": categories[0].get_absolute_url(),
        "tag": tags[0].get_absolute_url(),
        "year archive": f"/guides/{local:%Y}/",
        "month archive": f"/guides/{local:%Y}/{local.month}/",
        "RSS feed": "/guides/feed/rss/",
        "Atom feed": "/guides/feed/atom/",
        "polls": "/polls/",
        "poll": poll.get_absolute_url(),
        "poll results": f"/polls/{poll.pk}/results/",
        "images": "/images/",
        "image": image.get_absolute_url(),
        "search": "/search/?q=guide",
        "flatpage": FlatPage.objects.order_by("url").first().url,
    }
    signed_in = {"my images": "/images/mine/", "jobs": "/jobs/"}
    return public, signed_in


# ------------------------------------------------------------------------------ measuring
# As a browser asks (the bare view, with no middleware, never compresses).
BROWSER = {"Accept-Encoding": harness.BROWSER_ACCEPT_ENCODING}


class Bench:
    """The site and the bare view, both served; measures a path against the bare view."""

    def __init__(self, site: harness.Gunicorn, bare: harness.Gunicorn) -> None:
        self.site, self.bare = site, bare
        self.meter = harness.CpuMeter(
            {
                "web": site.pids,
                "postgres": lambda: harness.pids_named("postgres"),
                "redis": lambda: harness.pids_named("redis-server"),
            }
        )
        self.bare_meter = harness.CpuMeter({"web": bare.pids})

    def burst(self, server, meter, path, headers=None) -> tuple[harness.WrkResult, dict]:
        meter.start()
        result = harness.wrk(
            server.port,
            path,
            seconds=SECONDS,
            connections=CONNECTIONS,
            headers={**BROWSER, **(headers or {})},
        )
        used = meter.stop()
        return result, {name: 1000 * cpu / max(result.requests, 1) for name, cpu in used.items()}

    def compare(self, path: str, headers=None) -> dict:
        """ROUNDS bursts of `path` and of the bare view, alternating."""
        page, bare, cpu, bare_cpu, failures = [], [], [], [], 0
        for _ in range(ROUNDS):
            result, used = self.burst(self.site, self.meter, path, headers)
            page.append(result.rate)
            cpu.append(used)
            failures += result.failures
            result, used = self.burst(self.bare, self.bare_meter, "/bench/bare/")
            bare.append(result.rate)
            bare_cpu.append(used)
            failures += result.failures
            DEADLINE.check(f"measuring {path}")
        rate, bare_rate = sum(page) / ROUNDS, sum(bare) / ROUNDS
        return {
            "rate": rate,
            "bare": bare_rate,
            "ratio": rate / bare_rate,
            "failures": failures,
            "cpu": {name: sum(c[name] for c in cpu) / ROUNDS for name in cpu[0]},
            "bare_cpu": sum(c["web"] for c in bare_cpu) / ROUNDS,
        }


class Voting:
    """Casts VOTE_RATE votes a second, each by a different voter or in a different poll, from a
    thread, between `start()` and `stop()`; counts the votes the site accepted."""

    def __init__(self, port: int, sessions: list[str], polls) -> None:
        secret = harness.csrf_secret()
        self.port = port
        self.ballots = [
            (session, question_id, choices[n % len(choices)], secret)
            for n, session in enumerate(sessions)
            for question_id, choices in polls
        ]
        self.accepted = self.refused = 0

    def start(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._vote, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _vote(self) -> None:
        started, cast = time.monotonic(), 0
        while not self._stop.is_set():
            if not self.ballots:
                raise RuntimeError("bench/pages.py ran out of ballots: raise VOTERS")
            session, question_id, choice_id, secret = self.ballots.pop()
            status, headers, _ = harness.request(
                self.port,
                "POST",
                f"/polls/{question_id}/vote/",
                urlencode({"csrfmiddlewaretoken": secret, "choice": choice_id}).encode(),
                {
                    "Host": harness.LOCALHOST,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"sessionid={session}; csrftoken={secret}",
                },
            )
            counted = status == 302 and headers["Location"].endswith("/results/")
            self.accepted += counted
            self.refused += not counted
            cast += 1
            self._stop.wait(max(0.0, started + cast / VOTE_RATE - time.monotonic()))


def under_votes(bench: Bench, voting: Voting, pipeline: harness.CpuMeter) -> dict:
    """The home page's rate, quiet and while votes are cast, alternating VOTE_ROUNDS times;
    `pipeline` meters what else the votes make work (relay, consumer, broker, databases)."""
    from guidebook.events.models import Activity

    lines = Activity.objects.filter(type="polls.vote.cast").count()
    quiet, busy, failures = [], [], 0
    seconds, during = 0.0, 0
    # CPU seconds of each part of the pipeline, and the seconds measured, quiet and busy.
    used: dict[str, Counter] = {"quiet": Counter(), "busy": Counter()}
    measured: Counter = Counter()
    for _ in range(VOTE_ROUNDS):
        pipeline.start()
        result, _ = bench.burst(bench.site, bench.meter, "/")
        used["quiet"].update(pipeline.stop())
        measured["quiet"] += result.seconds
        quiet.append(result.rate)
        failures += result.failures
        voting.start()
        time.sleep(0.5)  # the first votes' activity is in the feed
        before = voting.accepted
        pipeline.start()
        result, _ = bench.burst(bench.site, bench.meter, "/")
        used["busy"].update(pipeline.stop())
        measured["busy"] += result.seconds
        during += voting.accepted - before  # votes counted while the home page was loaded
        voting.stop()
        seconds += result.seconds
        busy.append(result.rate)
        failures += result.failures
        DEADLINE.check("measuring the home page under votes")
    quiet_rate, busy_rate = sum(quiet) / VOTE_ROUNDS, sum(busy) / VOTE_ROUNDS
    time.sleep(1)  # the last votes' activity lines
    lines = Activity.objects.filter(type="polls.vote.cast").count() - lines
    return {
        "activity lines": lines,
        "quiet": quiet_rate,
        "busy": busy_rate,
        "ratio": busy_rate / quiet_rate,
        "failures": failures + voting.refused,
        "votes per second": during / seconds,
        "votes": voting.accepted,
        **{
            f"pipeline {state}": sum(used[state].values()) / measured[state] / CPUS
            for state in used
        },
        # Each part's share of the CPUs while votes were cast, beyond its share when quiet.
        "pipeline parts": {
            name: (used["busy"][name] / measured["busy"] - used["quiet"][name] / measured["quiet"])
            / CPUS
            for name in used["busy"]
        },
    }


# ------------------------------------------------------------------------------ run
def main() -> int:
    harness.ensure_wrk()
    static_root = harness.temporary_dir("static")
    media_root = harness.temporary_dir("media")
    environment = site_environment(static_root, media_root)
    harness.prepare_site(environment, destructive="bench/pages.py replaces content")
    sessions = harness.create_voters(VOTERS)
    polls = harness.create_polls(POLLS, CHOICES)
    public, signed_in = seed_site(f"{harness.VOTER_PREFIX}00000")
    # A signed-in browser that has loaded a page holds its CSRF cookie too.
    reader = {"Cookie": f"sessionid={sessions[0]}; csrftoken={harness.csrf_secret()}"}
    DEADLINE.check("setup")

    services = [
        harness.Service(harness.procfile_command("relay"), environment),
        harness.Service(harness.procfile_command("activity"), environment),
    ]
    site = harness.Gunicorn(harness.procfile_command("web"), environment)
    bare = harness.Gunicorn(harness.BARE_COMMAND, environment, ready_path="/bench/bare/")
    services += [site, bare]
    bench = Bench(site, bare)
    results = {}
    try:
        for path in [*public.values(), *signed_in.values()]:  # every worker, every page
            harness.wrk(site.port, path, seconds=1, connections=CONNECTIONS)
        for path in signed_in.values():
            harness.wrk(site.port, path, seconds=1, connections=CONNECTIONS, headers=reader)
        harness.wrk(bare.port, "/bench/bare/", seconds=1, connections=CONNECTIONS)
        for name, path in public.items():
            results[name] = bench.compare(path)
        for name, path in signed_in.items():
            results[name] = bench.compare(path, headers=reader)
        pipeline = harness.CpuMeter(
            {
                "relay": services[0].pids,
                "activity consumer": services[1].pids,
                "RabbitMQ": lambda: harness.pids_named("beam.smp"),
                "PostgreSQL": lambda: harness.pids_named("postgres"),
                "Redis": lambda: harness.pids_named("redis-server"),
            }
        )
        voting = under_votes(bench, Voting(site.port, sessions[1:], polls), pipeline)
    finally:
        for service in services:
            service.stop()
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)
    return report(public, signed_in, results, voting, site.log.name)


def report(public, signed_in, results, voting, log) -> int:
    print(
        f"Procfile web: {WORKERS} workers (gunicorn.conf.py) · production settings · PostgreSQL · "
        f"Redis · demo content and {GUIDES} guides · wrk, {CONNECTIONS} connections, "
        f"{ROUNDS} x {SECONDS} s bursts alternating with bare Django · log {log}"
    )
    print(
        f"{'page':<14} {'path':<34} {'req/s':>7} {'bare':>7} {'ratio':>6}  "
        f"{'CPU ms/request: web':>20} {'pg':>5} {'redis':>5} {'bare':>5}"
    )
    rows, healthy = [], True
    for name, figures in results.items():
        path = public.get(name) or signed_in[name]
        target = PUBLIC_TARGET if name in public else SIGNED_IN_TARGET
        met = figures["ratio"] >= target and not figures["failures"]
        healthy &= met
        cpu = figures["cpu"]
        print(
            f"{name:<14} {path[:34]:<34} {figures['rate']:>7.0f} {figures['bare']:>7.0f} "
            f"{figures['ratio']:>6.2f}  {cpu['web']:>20.2f} {cpu['postgres']:>5.2f} "
            f"{cpu['redis']:>5.2f} {figures['bare_cpu']:>5.2f}  {'ok' if met else 'FAIL'}"
            + (f" ({figures['failures']} failed)" if figures["failures"] else "")
        )
        rows.append(
            harness.summary_row(
                f"{name} `{path}`{' (signed in)' if name in signed_in else ''}; CPU ms per "
                f"request: web {cpu['web']:.2f}, PostgreSQL {cpu['postgres']:.2f}, Redis "
                f"{cpu['redis']:.2f}, bare {figures['bare_cpu']:.2f}"
                + (f"; {figures['failures']} requests failed" if figures["failures"] else ""),
                figures["rate"],
                "req/s",
                baseline=figures["bare"],
                baseline_unit="req/s (bare Django)",
                ratio=figures["ratio"],
                target=f"≥ {target:.2f}",
                met=met,
            )
        )
    # Votes that did not become activity (the relay or the consumer down) would not test the
    # page cache at all.
    met = (
        voting["ratio"] >= UNDER_VOTES_TARGET
        and not voting["failures"]
        and voting["activity lines"] >= voting["votes"]
    )
    healthy &= met
    print(
        f"home under votes: {voting['busy']:.0f} req/s while {voting['votes per second']:.1f} "
        f"votes/s were cast ({voting['activity lines']} activity lines for {voting['votes']} "
        f"votes), {voting['quiet']:.0f} req/s quiet: {voting['ratio']:.2f} "
        f"{'ok' if met else 'FAIL'}"
        + (f" ({voting['failures']} requests or votes failed)" if voting["failures"] else "")
    )
    print(
        f"  the relay, the activity consumer, RabbitMQ, PostgreSQL and Redis used "
        f"{voting['pipeline busy']:.0%} of the machine's {CPUS} CPUs while votes were cast, "
        f"{voting['pipeline quiet']:.0%} when quiet (production runs them on other machines); "
        "more while votes were cast: "
        + ", ".join(f"{name} {share:.1%}" for name, share in voting["pipeline parts"].items())
    )
    rows.append(
        harness.summary_row(
            f"home `/` while {voting['votes per second']:.1f} votes/s are cast "
            f"({voting['votes']} votes in all; relay, consumer, RabbitMQ, PostgreSQL and Redis "
            f"took {voting['pipeline busy']:.0%} of the CPUs, {voting['pipeline quiet']:.0%} "
            "when quiet)",
            voting["busy"],
            "req/s",
            baseline=voting["quiet"],
            baseline_unit="req/s (home, quiet)",
            ratio=voting["ratio"],
            target=f"≥ {UNDER_VOTES_TARGET:.2f}",
            met=met,
        )
    )
    print(
        f"targets: public pages ≥ {PUBLIC_TARGET:.2f} of bare, signed-in ≥ "
        f"{SIGNED_IN_TARGET:.2f}, home under votes ≥ {UNDER_VOTES_TARGET:.2f} of quiet"
    )
    harness.write_summary(rows)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
