"""Voting throughput against a bare Django view, both served by the same gunicorn in one run.

    .venv/bin/python bench/votes.py

Serves the site with gunicorn (production settings, the project's gunicorn.conf.py) on PostgreSQL,
on loopback only. USERS users, already logged in (sessions are written directly so that Argon2
is not what we measure), each fetch a poll's page for its CSRF token and then vote once in each
of POLLS polls, CONCURRENCY requests at a time. The same number of requests goes to a bare view
(bench/bare_app.py) at the same concurrency, in alternating rounds. Prints votes/s, bare
requests/s, their ratio and the number of lost votes (accepted votes minus the database's count,
which must be 0), then replays a share of the votes to check that none is counted twice.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_votes; created
                      if missing; its name must contain "bench" (every session in it is deleted)
  BENCH_USERS 400 · BENCH_POLLS 5 · BENCH_CONCURRENCY 32
  BENCH_WORKERS       gunicorn workers, default 2 x CPUs + 1 as in gunicorn.conf.py
"""

import os
import re
import shutil
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

# The project root, so that `bench.harness`, `config` and `guidebook` import however this runs.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

DATABASE_URL = harness.database_url("guidebook_bench_votes")
USERS = harness.env_int("BENCH_USERS", 400)
POLLS = harness.env_int("BENCH_POLLS", 5)
CONCURRENCY = harness.env_int("BENCH_CONCURRENCY", 32)
WORKERS = harness.gunicorn_workers()
CHOICES = ["Mountains", "Sea", "City", "Forest"]
ROUNDS = 4
TARGET_RATIO = 0.25
DEADLINE = harness.Deadline(
    115,
    "bench/votes.py",
    "two-minute",  # the whole run, under 2 min
    "try fewer BENCH_USERS or BENCH_POLLS",
)


# ------------------------------------------------------------------------------ setup
def site_environment(static_root: str) -> dict[str, str]:
    """What a production deployment would set, pointed at the bench database, loopback only."""
    # As in production: with a broker, a vote's event is only an outbox row in the request
    # (nothing here publishes it; the relay is not part of this measurement).
    broker = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    return harness.production_environment(
        DATABASE_URL, static_root, WORKERS, CELERY_BROKER_URL=broker
    )


def create_voters(count: int) -> list[str]:
    """Bench users (kept between runs), each with a fresh logged-in session; returns the keys."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from guidebook.accounts.models import Profile, User

    names = [f"bench-{n:05d}" for n in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password("bench-password-not-a-secret")  # hashed once, shared by all
    created = User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@example.com", password=password)
            for name in names
            if name not in existing
        ]
    )
    Profile.objects.bulk_create([Profile(user=user) for user in created])  # bulk skips signals
    Session.objects.all().delete()
    keys = []
    for user in User.objects.filter(username__in=names).order_by("username"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def create_polls(count: int) -> list[tuple[int, list[int]]]:
    from django.utils import timezone

    from guidebook.polls.models import Choice, Question

    Question.objects.filter(text__startswith="Bench poll").delete()
    polls = []
    for n in range(count):
        question = Question.objects.create(
            text=f"Bench poll {n}: where next?", pub_date=timezone.now()
        )
        choices = Choice.objects.bulk_create(
            [Choice(question=question, text=text) for text in CHOICES]
        )
        polls.append((question.pk, [choice.pk for choice in choices]))
    return polls


# ------------------------------------------------------------------------------ HTTP
def cookies_of(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


TOKEN_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def fetch_csrf(port: int, session_key: str, question_id: int) -> tuple[str, str]:
    """The CSRF cookie and form token a browser gets from the poll's page."""
    status, headers, body = harness.request(
        port, "GET", f"/polls/{question_id}/", headers={"Cookie": f"sessionid={session_key}"}
    )
    match = TOKEN_FIELD.search(body)
    if status != 200 or not match:
        raise RuntimeError(f"the poll page answered {status} without a vote form")
    return cookies_of(headers)["csrftoken"], match.group(1).decode()


def vote_job(port: int, voter: dict, question_id: int, choice_id: int):
    body = urlencode({"csrfmiddlewaretoken": voter["token"], "choice": choice_id}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={voter['session']}; csrftoken={voter['csrf']}",
    }

    def job():
        status, response_headers, _ = harness.request(
            port, "POST", f"/polls/{question_id}/vote/", body, headers
        )
        return status, response_headers.get("Location"), cookies_of(response_headers)

    return job


def counted(outcome, question_id: int) -> bool:
    """Did the site accept this vote? A redirect to the results saying it was counted."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    status, location, cookies = outcome
    if status != 302 or location != f"/polls/{question_id}/results/":
        return False
    messages = CookieStorage(HttpRequest())._decode(cookies.get("messages", "")) or []
    return any("counted" in str(message) for message in messages)


def database_counts(polls) -> tuple[int, int]:
    from django.db.models import Sum

    from guidebook.polls.models import Choice, Vote

    ids = [question_id for question_id, _ in polls]
    total = Choice.objects.filter(question_id__in=ids).aggregate(total=Sum("votes"))["total"]
    return total or 0, Vote.objects.filter(question_id__in=ids).count()


# ------------------------------------------------------------------------------ run
def main() -> int:
    static_root = harness.temporary_dir("static")
    environment = site_environment(static_root)
    harness.prepare_site(environment, destructive="bench/votes.py deletes sessions and users")
    sessions = create_voters(USERS)
    polls = create_polls(POLLS)
    DEADLINE.check("setup")

    server = harness.Gunicorn("bench.bare_app:application", environment, WORKERS)
    port, log = server.port, server.log
    try:
        # Each voter opens a poll's page once: CSRF token, and warm workers and connections.
        first_poll = polls[0][0]
        _, tokens = harness.run_at_concurrency(
            [lambda key=key: fetch_csrf(port, key, first_poll) for key in sessions], CONCURRENCY
        )
        voters = [
            {"session": key, "csrf": csrf, "token": token}
            for key, (csrf, token) in zip(sessions, tokens, strict=True)
        ]
        bare_headers = {"Cookie": f"sessionid={sessions[0]}; csrftoken={voters[0]['csrf']}"}
        bare_job = lambda: harness.request(port, "GET", "/bench/bare/", None, bare_headers)  # noqa: E731
        harness.run_at_concurrency([bare_job] * 200, CONCURRENCY)  # warm-up
        DEADLINE.check("warm-up")

        # Every voter votes in every poll; interleaved so that all polls are hot at once. Votes
        # and bare requests alternate in rounds, so that load from elsewhere on the machine
        # weighs on both figures alike.
        ballots = [
            (voter, question_id, choices[(n + p) % len(choices)])
            for n, voter in enumerate(voters)
            for p, (question_id, choices) in enumerate(polls)
        ]
        jobs = [vote_job(port, voter, qid, cid) for voter, qid, cid in ballots]
        vote_seconds = bare_seconds = 0.0
        outcomes, bare = [], []
        size = -(-len(jobs) // ROUNDS)
        for start in range(0, len(jobs), size):
            seconds, results = harness.run_at_concurrency(jobs[start : start + size], CONCURRENCY)
            vote_seconds += seconds
            outcomes += results
            seconds, results = harness.run_at_concurrency([bare_job] * len(results), CONCURRENCY)
            bare_seconds += seconds
            bare += results
            DEADLINE.check("voting")
        accepted = sum(
            counted(outcome, qid) for outcome, (_, qid, _) in zip(outcomes, ballots, strict=True)
        )
        bare_ok = sum(status == 200 for status, _, _ in bare)

        # The same ballots again, at the same concurrency: every one must be refused.
        replay = jobs[: max(len(jobs) // 5, 1)]
        _, replayed = harness.run_at_concurrency(replay, CONCURRENCY)
        doubled = sum(
            counted(outcome, qid) for outcome, (_, qid, _) in zip(replayed, ballots, strict=False)
        )
    finally:
        server.stop()
        shutil.rmtree(static_root, ignore_errors=True)

    count_sum, vote_rows = database_counts(polls)
    votes_per_second = accepted / vote_seconds
    bare_per_second = bare_ok / bare_seconds
    ratio = votes_per_second / bare_per_second
    lost = accepted - count_sum
    print(
        f"gunicorn: {WORKERS} sync workers · PostgreSQL · {USERS} users x {POLLS} polls · "
        f"{CONCURRENCY} concurrent requests · log {log.name}"
    )
    print(
        f"votes:      {accepted}/{len(jobs)} accepted in {vote_seconds:.2f} s "
        f"= {votes_per_second:.0f} votes/s"
    )
    print(
        f"bare view:  {bare_ok}/{len(jobs)} answered in {bare_seconds:.2f} s "
        f"= {bare_per_second:.0f} req/s"
    )
    print(f"ratio:      {ratio:.2f} (target ≥ {TARGET_RATIO})")
    print(
        f"lost votes: {lost} (accepted {accepted} - counted {count_sum}); "
        f"Vote rows: {vote_rows}; replayed {len(replay)}, counted twice: {doubled}"
    )
    healthy = (
        lost == 0
        and vote_rows == accepted == len(jobs)
        and doubled == 0
        and count_sum == vote_rows
        and bare_ok == len(jobs)
    )
    harness.write_summary(
        [
            harness.summary_row(
                f"votes per second ({len(jobs):,} votes, {CONCURRENCY} concurrent, "
                f"{WORKERS} workers; baseline: bare view)",
                votes_per_second,
                "votes/s",
                baseline=bare_per_second,
                baseline_unit="req/s",
                ratio=ratio,
                target=f"≥ {TARGET_RATIO}",
                met=ratio >= TARGET_RATIO,
            ),
            harness.summary_row(
                f"lost votes (accepted {accepted:,} - counted {count_sum:,})",
                lost,
                "votes",
                target="0",
                met=lost == 0,
            ),
            harness.summary_row(
                "`Vote` rows (baseline: accepted votes)",
                vote_rows,
                "rows",
                baseline=accepted,
                baseline_unit="votes",
                target="= accepted = all ballots",
                met=vote_rows == accepted == len(jobs),
            ),
            harness.summary_row(
                f"replayed ballots counted twice (of {len(replay):,})",
                doubled,
                "votes",
                target="0",
                met=doubled == 0,
            ),
        ]
    )
    if not healthy:
        print("FAIL: votes were lost, doubled or refused, or the bare view failed")
        return 1
    if ratio < TARGET_RATIO:
        print(f"FAIL: ratio below the target of {TARGET_RATIO}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
