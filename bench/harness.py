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
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HTTP_TIMEOUT = 30  # seconds, for each request to the bench server
READY_TIMEOUT = 30  # seconds gunicorn has to answer its first request
LOCALHOST = "127.0.0.1"
SUMMARY_VARIABLE = "BENCH_SUMMARY"  # a path: where a script writes its machine-readable figures

T = TypeVar("T")


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
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling in the middle of a measurement
        **extra,
    }


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
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


# ------------------------------------------------------------------------------ gunicorn
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`app` ("module:callable") served by gunicorn with the project's gunicorn.conf.py on a free
    loopback port, from construction (which returns once `ready_path` answers 200) to `stop()`.
    Its output goes to a kept temporary file, `log.name`."""

    def __init__(
        self,
        app: str,
        environment: dict[str, str],
        workers: int,
        *,
        options: Sequence[str] = (),
        ready_path: str = "/bench/bare/",
    ) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="guidebook-bench-gunicorn-",
            suffix=".log",
            delete=False,
        )
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"{LOCALHOST}:{self.port}",
            "--workers",
            str(workers),
            *options,
            app,
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
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

    def _terminate(self) -> None:
        """SIGTERM (gunicorn's graceful shutdown), then SIGKILL if it takes over 25 s."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Shut gunicorn down and close its log (the file stays)."""
        self._terminate()
        self.log.close()


# ------------------------------------------------------------------------------ HTTP
def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Message, bytes]:
    """One request to the bench server on a fresh connection (gunicorn's sync workers close it
    after each response): (status, response headers, response body)."""
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=HTTP_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def run_at_concurrency(
    jobs: Iterable[Callable[[], T]],
    concurrency: int,
) -> tuple[float, list[T]]:
    """Run callables `concurrency` at a time; returns (seconds, results in order)."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda job: job(), jobs))
        return time.perf_counter() - started, results


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
