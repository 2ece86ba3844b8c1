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

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/guidebook_bench_votes")
USERS = int(os.environ.get("BENCH_USERS", "400"))
POLLS = int(os.environ.get("BENCH_POLLS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
CHOICES = ["Mountains", "Sea", "City", "Forest"]
ROUNDS = 4
TARGET_RATIO = 0.25
HTTP_TIMEOUT = 30
DEADLINE = time.monotonic() + 115  # the whole run stays under two minutes


def check_deadline(step: str) -> None:
    if time.monotonic() > DEADLINE:
        sys.exit(f"bench/votes.py: over its two-minute budget during {step}; "
                 "try fewer BENCH_USERS or BENCH_POLLS")


# ------------------------------------------------------------------------------ setup
def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"bench/votes.py deletes sessions and users in {name!r}: "
                 "BENCH_DATABASE_URL must name a database whose name contains 'bench'")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def site_environment(static_root: str) -> dict[str, str]:
    """What a production deployment would set, pointed at the bench database, loopback only."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no TLS proxy in front
        "STATIC_ROOT": static_root,
        # As in production: with a broker, a vote's event is only an outbox row in the request
        # (nothing here publishes it; the relay is not part of this measurement).
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL",
                                            "amqp://guest:guest@127.0.0.1:5672//"),
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
    created = User.objects.bulk_create([
        User(username=name, email=f"{name}@example.com", password=password)
        for name in names if name not in existing
    ])
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
        question = Question.objects.create(text=f"Bench poll {n}: where next?",
                                           pub_date=timezone.now())
        choices = Choice.objects.bulk_create(
            [Choice(question=question, text=text) for text in CHOICES])
        polls.append((question.pk, [choice.pk for choice in choices]))
    return polls


# ------------------------------------------------------------------------------ gunicorn
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(environment: dict[str, str], port: int, log) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
               "bench.bare_app:application"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environment},  # noqa: S603
                              stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            if request(port, "GET", "/bench/bare/")[0] == 200:
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


# ------------------------------------------------------------------------------ HTTP
def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None):
    """One request on a fresh connection (gunicorn's sync workers close it after each response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def cookies_of(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


TOKEN_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def fetch_csrf(port: int, session_key: str, question_id: int) -> tuple[str, str]:
    """The CSRF cookie and form token a browser gets from the poll's page."""
    status, headers, body = request(port, "GET", f"/polls/{question_id}/",
                                    headers={"Cookie": f"sessionid={session_key}"})
    match = TOKEN_FIELD.search(body)
    if status != 200 or not match:
        raise RuntimeError(f"the poll page answered {status} without a vote form")
    return cookies_of(headers)["csrftoken"], match.group(1).decode()


def run_at_concurrency(jobs, concurrency: int):
    """Run callables `concurrency` at a time; returns (seconds, results)."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda job: job(), jobs))
        return time.perf_counter() - started, results


def vote_job(port: int, voter: dict, question_id: int, choice_id: int):
    body = urlencode({"csrfmiddlewaretoken": voter["token"], "choice": choice_id}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Cookie": f"sessionid={voter['session']}; csrftoken={voter['csrf']}"}

    def job():
        status, response_headers, _ = request(port, "POST", f"/polls/{question_id}/vote/",
                                              body, headers)
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
    static_root = tempfile.mkdtemp(prefix="guidebook-bench-static-")
    environment = site_environment(static_root)
    os.environ.update(environment)
    ensure_database(DATABASE_URL)
    prepare_site()
    sessions = create_voters(USERS)
    polls = create_polls(POLLS)
    check_deadline("setup")

    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="guidebook-bench-gunicorn-", suffix=".log",  # noqa: SIM115
                                      delete=False)
    server = start_gunicorn(environment, port, log)
    try:
        # Each voter opens a poll's page once: CSRF token, and warm workers and connections.
        first_poll = polls[0][0]
        _, tokens = run_at_concurrency(
            [lambda key=key: fetch_csrf(port, key, first_poll) for key in sessions], CONCURRENCY)
        voters = [{"session": key, "csrf": csrf, "token": token}
                  for key, (csrf, token) in zip(sessions, tokens, strict=True)]
        bare_headers = {"Cookie": f"sessionid={sessions[0]}; csrftoken={voters[0]['csrf']}"}
        run_at_concurrency([lambda: request(port, "GET", "/bench/bare/", None, bare_headers)]
                           * 200, CONCURRENCY)  # warm-up
        check_deadline("warm-up")

        # Every voter votes in every poll; interleaved so that all polls are hot at once. Votes
        # and bare requests alternate in rounds, so that load from elsewhere on the machine
        # weighs on both figures alike.
        ballots = [(voter, question_id, choices[(n + p) % len(choices)])
                   for n, voter in enumerate(voters)
                   for p, (question_id, choices) in enumerate(polls)]
        jobs = [vote_job(port, voter, qid, cid) for voter, qid, cid in ballots]
        bare_job = lambda: request(port, "GET", "/bench/bare/", None, bare_headers)  # noqa: E731
        vote_seconds = bare_seconds = 0.0
        outcomes, bare = [], []
        size = -(-len(jobs) // ROUNDS)
        for start in range(0, len(jobs), size):
            seconds, results = run_at_concurrency(jobs[start:start + size], CONCURRENCY)
            vote_seconds += seconds
            outcomes += results
            seconds, results = run_at_concurrency([bare_job] * len(results), CONCURRENCY)
            bare_seconds += seconds
            bare += results
            check_deadline("voting")
        accepted = sum(counted(outcome, qid) for outcome, (_, qid, _) in zip(outcomes, ballots,
                                                                              strict=True))
        bare_ok = sum(status == 200 for status, _, _ in bare)

        # The same ballots again, at the same concurrency: every one must be refused.
        replay = jobs[: max(len(jobs) // 5, 1)]
        _, replayed = run_at_concurrency(replay, CONCURRENCY)
        doubled = sum(counted(outcome, qid) for outcome, (_, qid, _) in zip(replayed, ballots,
                                                                            strict=False))
    finally:
        stop(server)
        log.close()
        shutil.rmtree(static_root, ignore_errors=True)

    count_sum, vote_rows = database_counts(polls)
    votes_per_second = accepted / vote_seconds
    bare_per_second = bare_ok / bare_seconds
    ratio = votes_per_second / bare_per_second
    lost = accepted - count_sum
    print(f"gunicorn: {WORKERS} sync workers · PostgreSQL · {USERS} users x {POLLS} polls · "
          f"{CONCURRENCY} concurrent requests · log {log.name}")
    print(f"votes:      {accepted}/{len(jobs)} accepted in {vote_seconds:.2f} s "
          f"= {votes_per_second:.0f} votes/s")
    print(f"bare view:  {bare_ok}/{len(jobs)} answered in {bare_seconds:.2f} s "
          f"= {bare_per_second:.0f} req/s")
    print(f"ratio:      {ratio:.2f} (target ≥ {TARGET_RATIO})")
    print(f"lost votes: {lost} (accepted {accepted} - counted {count_sum}); "
          f"Vote rows: {vote_rows}; replayed {len(replay)}, counted twice: {doubled}")
    healthy = (lost == 0 and vote_rows == accepted == len(jobs) and doubled == 0
               and count_sum == vote_rows and bare_ok == len(jobs))
    if not healthy:
        print("FAIL: votes were lost, doubled or refused, or the bare view failed")
        return 1
    if ratio < TARGET_RATIO:
        print(f"FAIL: ratio below the target of {TARGET_RATIO}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
