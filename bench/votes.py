"""Voting throughput as the site ships, cast by wrk, against bare Django, alternating in one run.

    .venv/bin/python bench/votes.py

Serves the site with the Procfile's `web` command (gunicorn with gunicorn.conf.py) under
production settings, on PostgreSQL and Redis, loopback only, with a broker configured, so that,
as in production, a vote's event is only an outbox row and a pg_notify in the request (no relay
runs here). The baseline is bare Django (bench/bare_app.py: no middleware, one view rendering a
20-item template) behind the same gunicorn command and configuration, in a server of its own.

USERS voters, already signed in (sessions written directly in the configured session store, so
that Argon2 is not what we measure), each vote once in each of POLLS polls: USERS x POLLS
ballots, written to a temporary file that bench/votes.lua walks in order, so that no ballot is
sent twice (the CSRF secret is sent as both cookie and form field, as Django allows). wrk
(one thread, CONNECTIONS connections) casts votes for SECONDS, then loads the bare view for
SECONDS, ROUNDS times, so that load from elsewhere on the machine weighs on both alike.

Prints votes/s (votes both answered with a 302 to the results within wrk's run and found in
the database, over wrk's seconds: like the bare view's rate, only what completed in the run;
counting new Vote rows would add the CONNECTIONS votes wrk leaves in flight), the bare view's
requests/s, their ratio (target ≥ TARGET_RATIO) and the CPU milliseconds per request of the
gunicorn workers, PostgreSQL, Redis and wrk itself. Then checks, over every vote burst: no
accepted vote lost (Vote rows created ≥ 302s to the results; the excess, at most CONNECTIONS a
burst, is the requests wrk left in flight); every answer a 302 to the results; sum(Choice.votes)
= Vote rows; one "polls.vote.cast" outbox row per vote; and a replay burst of ballots already
cast creates no Vote row, no count and no event. Exits 1 if a target or a check fails.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_votes; created
                      if missing; its name must contain "bench" (every session in it is deleted)
  BENCH_REDIS_URL     default redis://127.0.0.1:6379/13 (emptied)
  BENCH_BROKER_URL    default amqp://guest:guest@127.0.0.1:5672// (configured, never published to)
  BENCH_USERS 3000 · BENCH_POLLS 5 · BENCH_SECONDS 3 (per burst) · BENCH_ROUNDS 3 ·
  BENCH_CONNECTIONS 16
  BENCH_WORKERS       gunicorn workers (WEB_CONCURRENCY), default 2 x CPUs + 1 as in
                      gunicorn.conf.py
"""

import os
import re
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# The project root, so that `bench.harness`, `config` and `guidebook` import however this runs.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

DATABASE_URL = harness.database_url("guidebook_bench_votes")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
USERS = harness.env_int("BENCH_USERS", 3000)
POLLS = harness.env_int("BENCH_POLLS", 5)
SECONDS = harness.env_int("BENCH_SECONDS", 3)
ROUNDS = harness.env_int("BENCH_ROUNDS", 3)
CONNECTIONS = harness.env_int("BENCH_CONNECTIONS", 16)
WORKERS = harness.gunicorn_workers()
CHOICES = ["Mountains", "Sea", "City", "Forest"]
WARM_UP_SECONDS = REPLAY_SECONDS = 1
TARGET_RATIO = 0.30
SCRIPT = Path(__file__).with_name("votes.lua")
EVENT_TYPE = "polls.vote.cast"
CPU_GROUPS = ["gunicorn", "postgres", "redis", "wrk"]
DEADLINE = harness.Deadline(
    150, "bench/votes.py", "150 s", "try a smaller BENCH_SECONDS, BENCH_ROUNDS or BENCH_USERS"
)


# ------------------------------------------------------------------------------ the database
@dataclass(frozen=True)
class Counts:
    """The bench polls' figures in the database at one moment."""

    votes: int  # Vote rows
    counted: int  # sum of Choice.votes
    events: int  # "polls.vote.cast" outbox rows (no relay runs, so none is deleted)

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(
            self.votes - other.votes, self.counted - other.counted, self.events - other.events
        )


def counts(question_ids: list[int]) -> Counts:
    from django.db.models import Sum

    from guidebook.events.models import Outbox
    from guidebook.polls.models import Choice, Vote

    counted = Choice.objects.filter(question_id__in=question_ids).aggregate(n=Sum("votes"))["n"]
    return Counts(
        votes=Vote.objects.filter(question_id__in=question_ids).count(),
        counted=counted or 0,
        events=Outbox.objects.filter(type=EVENT_TYPE).count(),
    )


def settled_counts(question_ids: list[int]) -> Counts:
    """The counts once the requests wrk left in flight have been answered: unchanged for 0.3 s."""
    previous = counts(question_ids)
    for _ in range(40):
        time.sleep(0.3)
        current = counts(question_ids)
        if current == previous:
            return current
        previous = current
    raise RuntimeError("the vote counts kept changing after wrk stopped")


def write_ballots(sessions: list[str], polls) -> Path:
    """Every voter's ballot in every poll, one a line, interleaved so that all polls are hot."""
    handle, name = tempfile.mkstemp(prefix="guidebook-bench-ballots-", suffix=".txt")
    with os.fdopen(handle, "w") as ballots:
        for n, session in enumerate(sessions):
            for p, (question_id, choices) in enumerate(polls):
                ballots.write(f"{session} {question_id} {choices[(n + p) % len(choices)]}\n")
    return Path(name)


# ------------------------------------------------------------------------------ bursts
def child_cpu() -> float:
    """CPU seconds of this process's finished children: wrk's, once harness.wrk returns."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Burst:
    """One wrk run's figures; for votes, with what its Lua script reported and the database saw."""

    result: harness.WrkResult
    cpu: dict[str, float]  # CPU seconds by group
    issued: int = 0  # ballots handed to wrk
    redirects: int = 0  # 302s to a poll's results
    created: Counts | None = None  # what changed in the database
    exhausted: bool = False  # the Lua script reached its last ballot and stopped

    @property
    def confirmed(self) -> int:
        """Votes answered within wrk's run and found in the database."""
        return min(self.redirects, self.created.votes)

    @property
    def in_flight(self) -> int:
        """Votes counted in the database that wrk never saw answered (it stopped first)."""
        return self.created.votes - self.redirects


@dataclass
class Totals:
    seconds: float = 0.0
    requests: int = 0  # bare: answered requests; votes: confirmed votes
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CPU_GROUPS, 0.0))

    def add(self, seconds: float, requests: int, cpu: dict[str, float]) -> None:
        self.seconds += seconds
        self.requests += requests
        for name, used in cpu.items():
            self.cpu[name] += used

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def ms_per_request(self, group: str) -> float:
        return 1000 * self.cpu[group] / max(self.requests, 1)


LUA_FIGURE = re.compile(r"^(issued|redirects|exhausted) (\d+)$", re.MULTILINE)


class Bench:
    """The site and the bare view, both served, and the ballots; runs and records bursts."""

    def __init__(self, site, bare, ballots: Path, total: int, secret: str, question_ids) -> None:
        self.site, self.bare = site, bare
        self.ballots, self.total, self.secret = ballots, total, secret
        self.question_ids = question_ids
        self.offset = 0  # ballots issued so far: the next burst starts after them
        shared = {
            "postgres": lambda: harness.pids_named("postgres"),
            "redis": lambda: harness.pids_named("redis-server"),
        }
        self.site_meter = harness.CpuMeter({"gunicorn": site.pids, **shared})
        self.bare_meter = harness.CpuMeter({"gunicorn": bare.pids, **shared})
        self.vote_bursts: list[Burst] = []

    def _wrk(self, meter, port, path, seconds, script_args=()) -> Burst:
        meter.start()
        client = child_cpu()
        result = harness.wrk(
            port,
            path,
            seconds=seconds,
            connections=CONNECTIONS,
            script=SCRIPT if script_args else None,
            script_args=script_args,
        )
        cpu = {**meter.stop(), "wrk": child_cpu() - client}
        return Burst(result, cpu)

    def _cast(self, first: int, last: int, seconds: float) -> Burst:
        """Ballots first+1 .. last for `seconds`; the database's changes once they settled."""
        before = counts(self.question_ids)
        burst = self._wrk(
            self.site_meter,
            self.site.port,
            f"/polls/{self.question_ids[0]}/vote/",
            seconds,
            [str(self.ballots), str(first), str(last), self.secret],
        )
        burst.created = settled_counts(self.question_ids) - before
        figures = {name: int(n) for name, n in LUA_FIGURE.findall(burst.result.output)}
        if set(figures) != {"issued", "redirects", "exhausted"}:
            raise RuntimeError(f"bench/votes.lua reported no figures:\n{burst.result.output}")
        burst.issued, burst.redirects = figures["issued"], figures["redirects"]
        burst.exhausted = bool(figures["exhausted"])
        return burst

    def votes(self, seconds: float) -> Burst:
        """A burst of ballots never sent before; fails loudly rather than replay any."""
        if self.offset >= self.total:
            sys.exit(f"bench/votes.py: all {self.total} ballots are cast; raise BENCH_USERS")
        burst = self._cast(self.offset, self.total, seconds)
        self.offset += burst.issued
        self.vote_bursts.append(burst)
        if burst.exhausted:
            sys.exit(
                f"bench/votes.py ran out of ballots ({self.total} = {USERS} users x {POLLS} "
                f"polls) during a {seconds} s burst: raise BENCH_USERS"
            )
        return burst

    def replay(self, seconds: float) -> Burst:
        """A burst of ballots already cast (from the first), which must all be refused."""
        return self._cast(0, self.offset, seconds)

    def bare_view(self, seconds: float) -> Burst:
        return self._wrk(self.bare_meter, self.bare.port, "/bench/bare/", seconds)


# ------------------------------------------------------------------------------ run
def main() -> int:
    harness.ensure_wrk()
    static_root = harness.temporary_dir("static")
    environment = harness.production_environment(
        DATABASE_URL,
        static_root,
        WORKERS,
        CELERY_BROKER_URL=BROKER_URL,
        EVENTS_BROKER_URL=BROKER_URL,
    )
    harness.prepare_site(environment, destructive="bench/votes.py deletes sessions and users")
    sessions = harness.create_voters(USERS)
    polls = harness.create_polls(POLLS, CHOICES)
    question_ids = [question_id for question_id, _ in polls]
    ballots = write_ballots(sessions, polls)
    DEADLINE.check("setup")

    services = []
    try:
        services.append(site := harness.Gunicorn(harness.procfile_command("web"), environment))
        services.append(
            bare := harness.Gunicorn(harness.BARE_COMMAND, environment, ready_path="/bench/bare/")
        )
        bench = Bench(
            site, bare, ballots, len(sessions) * POLLS, harness.csrf_secret(), question_ids
        )
        start = counts(question_ids)
        # Warm-up (every worker, its database connection, both code paths): checked, not timed.
        bench.votes(WARM_UP_SECONDS)
        bench.bare_view(WARM_UP_SECONDS)
        DEADLINE.check("warm-up")
        rounds = []
        for n in range(ROUNDS):
            rounds.append((bench.votes(SECONDS), bench.bare_view(SECONDS)))
            DEADLINE.check(f"round {n + 1}")
        cast = counts(question_ids) - start
        replay = bench.replay(REPLAY_SECONDS)
        final = counts(question_ids)
    finally:
        for service in reversed(services):
            service.stop()
        shutil.rmtree(static_root, ignore_errors=True)
        ballots.unlink(missing_ok=True)
    return report(bench, rounds, cast, replay, final, site.log.name)


def report(bench: Bench, rounds, cast: Counts, replay: Burst, final: Counts, log: str) -> int:
    votes, bare = Totals(), Totals()
    for vote_burst, bare_burst in rounds:
        votes.add(vote_burst.result.seconds, vote_burst.confirmed, vote_burst.cpu)
        result = bare_burst.result
        bare.add(result.seconds, result.requests - result.failures, bare_burst.cpu)
    ratio = votes.rate / bare.rate
    print(
        f"Procfile web: {WORKERS} workers (gunicorn.conf.py) · production settings · PostgreSQL · "
        f"Redis · broker configured, no relay · {USERS} voters x {POLLS} polls · wrk, "
        f"{CONNECTIONS} connections, {ROUNDS} x {SECONDS} s bursts alternating with bare Django "
        f"· log {log}"
    )
    print(
        f"{'round':<7} {'302s':>6} {'rows':>6} {'seconds':>8} {'votes/s':>8} "
        f"{'bare req/s':>11} {'ratio':>6}"
    )
    for n, (vote_burst, bare_burst) in enumerate(rounds, 1):
        rate = vote_burst.confirmed / vote_burst.result.seconds
        print(
            f"{n:<7} {vote_burst.redirects:>6} {vote_burst.created.votes:>6} "
            f"{vote_burst.result.seconds:>8.2f} {rate:>8.0f} {bare_burst.result.rate:>11.0f} "
            f"{rate / bare_burst.result.rate:>6.2f}"
        )
    met = ratio >= TARGET_RATIO
    print(
        f"{'all':<7} {votes.requests:>6} {'':>6} {votes.seconds:>8.2f} {votes.rate:>8.0f} "
        f"{bare.rate:>11.0f} {ratio:>6.2f}  target ≥ {TARGET_RATIO}: {'ok' if met else 'FAIL'}"
    )
    print("(302s: votes wrk saw accepted; rows: Vote rows created, wrk's in-flight ones included)")
    print(f"CPU ms per request   {' '.join(f'{name:>9}' for name in CPU_GROUPS)}")
    for name, totals in (("vote", votes), ("bare view", bare)):
        figures = " ".join(f"{totals.ms_per_request(group):>9.2f}" for group in CPU_GROUPS)
        print(f"{name:<20} {figures}")

    # Correctness, over every vote burst (the warm-up's included) and the replay.
    bursts = bench.vote_bursts
    redirects = sum(burst.redirects for burst in bursts)
    lost = sum(max(0, -burst.in_flight) for burst in bursts)
    in_flight = max(burst.in_flight for burst in bursts)
    answered = sum(burst.result.requests for burst in bursts)
    other = answered - redirects  # answers other than a 302 to the results: refusals, errors
    failures = sum(burst.result.failures for burst in bursts + [b for _, b in rounds])
    consistent = final.counted == final.votes
    events_met = cast.events == cast.votes == cast.counted
    replayed = replay.created
    replay_met = replayed.votes == 0 and replayed.counted == 0 and replayed.events == 0
    checks = {
        f"lost votes: {lost} (302s to the results {redirects}, Vote rows created {cast.votes}; "
        f"the excess, at most {in_flight} a burst, were in flight when wrk stopped, "
        f"allowed up to {CONNECTIONS}, its connections)": lost == 0 and in_flight <= CONNECTIONS,
        f"answers other than a 302 to the results: {other} of {answered}; wrk failures (socket "
        f"errors, 4xx/5xx, vote and bare bursts): {failures}": other == 0 and failures == 0,
        f"sum(Choice.votes) {final.counted} = Vote rows {final.votes} in the bench polls": (
            consistent
        ),
        f"{EVENT_TYPE} outbox rows created {cast.events} = Vote rows created {cast.votes} "
        f"(count increments {cast.counted})": events_met,
        f"replay: {replay.issued} ballots resent ({replay.result.requests} answered), "
        f"{replayed.votes} new Vote rows, {replayed.counted} count increments, "
        f"{replayed.events} events": replay_met,
    }
    for text, passed in checks.items():
        print(f"{'ok  ' if passed else 'FAIL'} {text}")

    cpu_rows = [
        harness.summary_row(
            f"CPU ms per vote, {label} (baseline: per bare request)",
            votes.ms_per_request(group),
            "ms",
            baseline=bare.ms_per_request(group),
            baseline_unit="ms",
            target=None,
            met=None,
        )
        for group, label in (
            ("gunicorn", "gunicorn workers"),
            ("postgres", "PostgreSQL"),
            ("redis", "Redis"),
            ("wrk", "wrk, the client"),
        )
    ]
    harness.write_summary(
        [
            harness.summary_row(
                f"votes per second ({votes.requests:,} votes in {ROUNDS} x {SECONDS} s, "
                f"{CONNECTIONS} connections, {WORKERS} workers; baseline: bare view)",
                votes.rate,
                "votes/s",
                baseline=bare.rate,
                baseline_unit="req/s",
                ratio=ratio,
                target=f"≥ {TARGET_RATIO}",
                met=met,
            ),
            harness.summary_row(
                f"lost votes (of {redirects:,} 302s to the results, those missing from the "
                f"{cast.votes:,} Vote rows created; up to {CONNECTIONS} a burst were in flight "
                "when wrk stopped)",
                lost,
                "votes",
                target="0",
                met=lost == 0 and in_flight <= CONNECTIONS,
            ),
            harness.summary_row(
                "sum of `Choice.votes` (baseline: `Vote` rows)",
                final.counted,
                "votes",
                baseline=final.votes,
                baseline_unit="rows",
                target="= Vote rows",
                met=consistent,
            ),
            harness.summary_row(
                f"replayed ballots counted again (of {replay.issued:,} resent; "
                f"{replayed.counted} count increments)",
                replayed.votes,
                "votes",
                target="0",
                met=replay_met,
            ),
            harness.summary_row(
                f"`{EVENT_TYPE}` outbox events (baseline: votes cast)",
                cast.events,
                "events",
                baseline=cast.votes,
                baseline_unit="votes",
                target="= votes",
                met=events_met,
            ),
            *cpu_rows,
        ]
    )
    if not all(checks.values()):
        print("FAIL: votes were lost, doubled or refused, or a request failed")
        return 1
    if not met:
        print(f"FAIL: ratio below the target of {TARGET_RATIO}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
