"""What the benchmark scripts share: a bench database, a production-like gunicorn on loopback,
plain HTTP requests to it, and a time budget.

Import it as `bench.harness` after putting the project root on sys.path, which works both for a
script run as `.venv/bin/python bench/<name>.py` and for a module that gunicorn loads as
`bench.<name>:application`. Only the standard library is imported here; psycopg and Django are
imported by the functions that need them, so that importing this module stays cheap.
"""

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HTTP_TIMEOUT = 30  # seconds, for each request to the bench server
READY_TIMEOUT = 30  # seconds gunicorn has to answer its first request
LOCALHOST = "127.0.0.1"
SUMMARY_VARIABLE = "BENCH_SUMMARY"  # a path: where a script writes its machine-readable figures


def env_int(name: str, default: int) -> int:
    """An integer option from the environment."""
    return int(os.environ.get(name, str(default)))


def database_url(default_name: str) -> str:
    """BENCH_DATABASE_URL, else the database `default_name` on the local PostgreSQL."""
    return os.environ.get(
        "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_name}"
    )


def gunicorn_workers() -> int:
    """BENCH_WORKERS, else 2 x CPUs + 1, as in gunicorn.conf.py."""
    return env_int("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1)


class Deadline:
    """A whole-run time budget, counted from construction; `check` exits once it is spent."""

    def __init__(self, seconds: float, script: str, budget: str, advice: str) -> None:
        self.expires = time.monotonic() + seconds
        self.script, self.budget, self.advice = script, budget, advice

    def check(self, step: str) -> None:
        if time.monotonic() > self.expires:
            sys.exit(f"{self.script}: over its {self.budget} budget during {step}; {self.advice}")


# ------------------------------------------------------------------------------ database and site
def ensure_database(url: str, *, destructive: str | None = None) -> None:
    """Create the database `url` names if it does not exist yet.

    `destructive` (e.g. "bench/votes.py deletes sessions and users") says what the caller does to
    the database's contents; when given, a database whose name lacks "bench" is refused.
    """
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if destructive is not None and "bench" not in name:
        sys.exit(
            f"{destructive} in {name!r}: "
            "BENCH_DATABASE_URL must name a database whose name contains 'bench'"
        )
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def production_environment(
    database_url: str, static_root: str, workers: int, **extra: str
) -> dict[str, str]:
    """What a production deployment would set, pointed at the bench database, loopback only.

    `extra` adds or overrides variables (MEDIA_ROOT, CELERY_BROKER_URL, ...).
    """
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": LOCALHOST,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no TLS proxy in front
        "SINGLE_MACHINE": "true",  # every process on this machine, media on its disk
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(workers),
        # The shared cache (and with it sessions), as production has it: a database of the
        # local Redis of its own, emptied by the bench (flush_redis).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        **extra,
    }


def flush_redis(url: str) -> None:
    """Empty the bench's Redis database (its cached pages and sessions from an earlier run)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def temporary_dir(kind: str) -> str:
    """A new directory for the run's static or media files; the caller removes it."""
    return tempfile.mkdtemp(prefix=f"guidebook-bench-{kind}-")


def prepare_site(environment: dict[str, str], *, destructive: str) -> None:
    """Adopt `environment` in this process, create its database if missing (see
    ensure_database), set Django up, migrate and collect static."""
    import django
    from django.core.management import call_command

    os.environ.update(environment)
    ensure_database(environment["DATABASE_URL"], destructive=destructive)
    if environment.get("REDIS_URL"):
        flush_redis(environment["REDIS_URL"])
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


# ------------------------------------------------------------------------------ voters and polls
VOTER_PREFIX = "bench-voter-"
POLL_PREFIX = "Bench poll"


def create_voters(count: int) -> list[str]:
    """`count` bench users (kept between runs), each with a fresh logged-in session in the
    configured session store; returns the session keys. Sessions are written directly so that
    the password hasher is not what a benchmark measures."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session

    from guidebook.accounts.backends import BACKEND_PATH
    from guidebook.accounts.models import Profile, User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    names = [f"{VOTER_PREFIX}{n:05d}" for n in range(count)]
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
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = BACKEND_PATH
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def create_polls(count: int, choices: Sequence[str]) -> list[tuple[int, list[int]]]:
    """`count` open polls (replacing earlier bench polls): [(question id, [choice ids])]."""
    from django.utils import timezone

    from guidebook.polls.models import Choice, Question

    Question.objects.filter(text__startswith=POLL_PREFIX).delete()
    polls = []
    for n in range(count):
        question = Question.objects.create(
            text=f"{POLL_PREFIX} {n}: where next?", pub_date=timezone.now()
        )
        created = Choice.objects.bulk_create([Choice(question=question, text=t) for t in choices])
        polls.append((question.pk, [choice.pk for choice in created]))
    return polls


def csrf_secret() -> str:
    """A CSRF secret to send as both the csrftoken cookie and the form field: Django accepts the
    unmasked secret as the form's token, which saves fetching a form per voter."""
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


# What every browser sends: the site compresses what it would compress for them.
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"


# ------------------------------------------------------------------------------ gunicorn
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def procfile_command(process: str) -> list[str]:
    """The Procfile's command for `process` (web, relay, ...), split into arguments."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return shlex.split(command)
    raise LookupError(f"the Procfile has no {process!r} process")


# The baseline: bare Django (bench/bare_app.py) behind the same gunicorn and gunicorn.conf.py.
BARE_COMMAND = ["gunicorn", "bench.bare_app:application", "--config", "gunicorn.conf.py"]


def venv_command(command: Sequence[str]) -> list[str]:
    """`command` with its program taken from the project's virtualenv when it has one there."""
    program = ROOT / ".venv" / "bin" / command[0]
    return [str(program) if program.exists() else command[0], *command[1:]]


class Service:
    """A command (a Procfile process, say) running in the background from construction to
    `stop()`, its output in a kept temporary file, `log.name`."""

    def __init__(self, command: Sequence[str], environment: dict[str, str]) -> None:
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix=f"guidebook-bench-{Path(command[0]).name}-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(  # noqa: S603
            venv_command(command),
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def pids(self) -> list[int]:
        """The process and its children (gunicorn's arbiter and workers)."""
        return process_tree(self.process.pid) if self.process.poll() is None else []

    def _terminate(self) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it takes over 25 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        self._terminate()
        self.log.close()


class Gunicorn(Service):
    """A gunicorn command (the Procfile's web command, or BARE_COMMAND) on a free loopback port:
    its configuration (gunicorn.conf.py, WEB_CONCURRENCY workers) as given, but for `--bind`.
    Construction returns once `ready_path` answers 200."""

    def __init__(
        self, command: Sequence[str], environment: dict[str, str], *, ready_path: str = "/"
    ) -> None:
        self.port = free_port()
        super().__init__([*command, "--bind", f"{LOCALHOST}:{self.port}"], environment)
        self._wait_until_ready(ready_path)

    def _wait_until_ready(self, path: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log.name}"
                )
            try:
                if request(self.port, "GET", path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self._terminate()
        raise RuntimeError(
            f"gunicorn did not answer on port {self.port} within "
            f"{READY_TIMEOUT} s; see {self.log.name}"
        )


# ------------------------------------------------------------------------------ HTTP
class CountingConnection(http.client.HTTPConnection):
    """An HTTP connection that adds every byte it sends (request line, headers, body) to
    `CountingConnection.sent`: what the bench servers have received from `request`, which the
    servers' own counters cannot say (/proc/<pid>/io does not count socket reads)."""

    sent = 0
    _counting = threading.Lock()  # bench/uploads.py sends from several threads

    def send(self, data) -> None:
        with CountingConnection._counting:
            CountingConnection.sent += len(data)
        super().send(data)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Message, bytes]:
    """One request to the bench server on a fresh connection (gunicorn's sync workers close it
    after each response): (status, response headers, response body)."""
    conn = CountingConnection(LOCALHOST, port, timeout=HTTP_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


# ------------------------------------------------------------------------------ wrk
WRK_LINE = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m),")
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
SECONDS_PER = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def ensure_wrk() -> str:
    """The path of wrk (Debian's package), installed with apt-get when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("the benchmarks need wrk: sudo apt-get install wrk")
    print("installing wrk (apt-get install wrk) ...", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or sys.exit("apt-get install wrk did not install wrk")


@dataclass
class WrkResult:
    """What one wrk run reports: requests completed, seconds, and the failures among them
    (answers other than 2xx/3xx, and socket errors), plus whatever its Lua script printed."""

    requests: int
    seconds: float
    failures: int
    output: str

    @property
    def rate(self) -> float:
        return (self.requests - self.failures) / self.seconds


def wrk(
    port: int,
    path: str,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    script_args: Sequence[str] = (),
) -> WrkResult:
    """Load `path` with wrk (one client thread, `connections` connections) for `seconds`."""
    command = [ensure_wrk(), "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{max(1, round(seconds))}s", "--timeout", f"{HTTP_TIMEOUT}s"]
    for name, value in {"Host": LOCALHOST, **(headers or {})}.items():
        command += ["--header", f"{name}: {value}"]
    if script:
        command += ["--script", str(script)]
    command.append(f"http://{LOCALHOST}:{port}{path}")
    if script_args:
        command += ["--", *script_args]
    done = subprocess.run(command, check=False, capture_output=True, text=True)  # noqa: S603
    output = done.stdout
    if done.returncode:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr}{output}")
    match = WRK_LINE.search(output)
    if not match:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    failures = sum(
        int(n) for pattern in (WRK_NON_2XX, WRK_ERRORS) for n in _numbers(pattern, output)
    )
    return WrkResult(
        requests=int(match.group(1)),
        seconds=float(match.group(2)) * SECONDS_PER[match.group(3)],
        failures=failures,
        output=output,
    )


def _numbers(pattern: re.Pattern, text: str) -> list[str]:
    match = pattern.search(text)
    return list(match.groups()) if match else []


# ------------------------------------------------------------------------------ CPU by process
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Iterable[int]) -> float:
    """User plus system CPU seconds these processes have used (those gone count as 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def bytes_read(pids: Iterable[int]) -> int:
    """Bytes these processes have read through system calls, from sockets and files alike
    (/proc/<pid>/io rchar; those gone count as 0)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/io").read_text().splitlines():
                if line.startswith("rchar:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value `fraction` of the way up the sorted values, by nearest rank (the p95 of 20
    values is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def process_tree(root: int) -> list[int]:
    """`root` and its children (gunicorn's arbiter and its workers)."""
    children = Path(f"/proc/{root}/task/{root}/children")
    found = [root]
    if children.exists():
        for child in children.read_text().split():
            found += process_tree(int(child))
    return found


def pids_named(name: str) -> list[int]:
    """Every process whose command name is `name` (postgres, redis-server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuMeter:
    """CPU seconds used by named groups of processes between `start()` and `stop()`.

    Groups are given as callables returning pids, called at both ends (workers that were
    recycled in between are missed for their last moments: their CPU is counted up to the last
    sample that saw them)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups

    def start(self) -> None:
        self._seen: dict[str, dict[int, float]] = {}
        for name, pids in self.groups.items():
            self._seen[name] = {pid: cpu_seconds([pid]) for pid in pids()}

    def stop(self) -> dict[str, float]:
        used = {}
        for name, pids in self.groups.items():
            before = self._seen[name]
            now = {pid: cpu_seconds([pid]) for pid in set(pids()) | set(before)}
            used[name] = sum(now[pid] - before.get(pid, 0.0) for pid in now if now[pid])
        return used


# ------------------------------------------------------------------------------ summaries
def command_line() -> str:
    """The command that is running, as one would type it from the project root: the BENCH_*
    variables set (passwords in URLs masked, BENCH_SUMMARY left out), the interpreter and the
    script with its arguments."""
    settings = []
    for name, value in sorted(os.environ.items()):
        if not name.startswith("BENCH_") or name == SUMMARY_VARIABLE:
            continue
        parts = urlsplit(value)
        if parts.password:
            value = value.replace(f":{parts.password}@", ":***@", 1)
        settings.append(f"{name}={value}")
    python, script = Path(sys.executable), Path(sys.argv[0]).resolve()
    shown = [
        str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        for path in (python if python.is_absolute() else python.resolve(), script)
    ]
    return " ".join([*settings, *shown, *sys.argv[1:]])


def summary_row(
    figure: str,
    value: float,
    unit: str,
    *,
    target: str | None,
    met: bool | None,
    baseline: float | None = None,
    baseline_unit: str | None = None,
    ratio: float | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """One figure of a run. `ratio` is whatever the script compares (usually value / baseline;
    the figure's wording says when it is the other way round); `target` is the issue's target
    as text, and `met` whether this run met it (None when the figure has no target)."""
    return {
        "figure": figure,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_unit": baseline_unit,
        "ratio": ratio,
        "target": target,
        "met": None if met is None else bool(met),
        "command": command or command_line(),
    }


def write_summary(rows: list[dict[str, Any]]) -> None:
    """Write `rows` as JSON to the path in BENCH_SUMMARY, if it is set (bench/report.py sets it);
    otherwise do nothing, so that a script run by hand only prints."""
    path = os.environ.get(SUMMARY_VARIABLE)
    if not path:
        return
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    partial.replace(target)
