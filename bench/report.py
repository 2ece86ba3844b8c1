"""Run every benchmark and rewrite the generated table in docs/benchmarks.md.

    .venv/bin/python bench/report.py          # what `make bench` runs

Runs each script of SCRIPTS in turn, as a subprocess of its own with a time limit, and echoes its
output. Each script writes its figures to the JSON file named by BENCH_SUMMARY (see
bench/harness.py, `write_summary`). The table of all figures, with the date and the machine,
replaces whatever lies between the markers START and END in docs/benchmarks.md (inserted after
the introduction the first time); the hand-written analysis around them is left alone. A script
that fails, times out or writes no figures gets a row saying so. Benchmarks are not tests: this
always exits 0.

Environment: BENCH_SEARCH_DOCS (20000), the corpus size given to bench/search.py as BENCH_DOCS
(the issue's N; most of its ten minutes go to haystack's stock backend, the baseline). Any other
BENCH_* variable set reaches every script, as it would when run by hand.
"""

import collections
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

ROOT = harness.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench:table:start -->"
END = "<!-- bench:table:end -->"
PYTHON = ROOT / ".venv" / "bin" / "python"


@dataclass
class Script:
    name: str
    timeout: int  # seconds, for the whole subprocess
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


SCRIPTS = [
    Script("votes", timeout=240),
    Script("pages", timeout=480),
    Script("breakdown", timeout=300),  # profiles the content bench/pages.py has just seeded
    Script("compression", timeout=300),
    Script("events", timeout=240),
    Script("renditions", timeout=180, args=["--runs", "21"]),
    Script("uploads", timeout=240),
    Script("search", timeout=630, env={"BENCH_DOCS": os.environ.get("BENCH_SEARCH_DOCS", "20000")}),
]


# ------------------------------------------------------------------------------ running
def command_text(script: Script) -> str:
    """The command as typed from the project root, for a row that has no summary."""
    settings = {
        name: value
        for name, value in os.environ.items()
        if name.startswith("BENCH_") and name not in (harness.SUMMARY_VARIABLE, "BENCH_SEARCH_DOCS")
    }
    settings.update(script.env)
    return " ".join(
        [
            *(f"{name}={value}" for name, value in sorted(settings.items())),
            ".venv/bin/python",
            f"bench/{script.name}.py",
            *script.args,
        ]
    )


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the script's process group (gunicorn, consumers...), then SIGKILL after 30 s."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run(script: Script) -> tuple[list[dict], str | None]:
    """Run one script: (its rows, None) or (rows, what went wrong)."""
    with tempfile.TemporaryDirectory(prefix="guidebook-bench-report-") as folder:
        summary = Path(folder) / "summary.json"
        env = {**os.environ, **script.env, harness.SUMMARY_VARIABLE: str(summary)}
        env.pop("BENCH_SEARCH_DOCS", None)
        print(f"== bench/{script.name}.py (time limit {script.timeout} s)", flush=True)
        process = subprocess.Popen(  # noqa: S603 - our own scripts, fixed arguments
            [str(PYTHON), str(ROOT / "bench" / f"{script.name}.py"), *script.args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # its own process group, so a timeout stops its children
        tail: collections.deque[str] = collections.deque(maxlen=5)

        def echo() -> None:
            for raw in process.stdout:
                line = raw.decode(errors="replace")
                sys.stdout.write(line)
                sys.stdout.flush()
                if line.strip():
                    tail.append(line.strip())

        reader = threading.Thread(target=echo, daemon=True)
        reader.start()
        try:
            returncode = process.wait(timeout=script.timeout)
            problem = None
        except subprocess.TimeoutExpired:
            stop_group(process)
            returncode = process.returncode
            problem = f"timed out after {script.timeout} s"
        reader.join(timeout=10)
        rows: list[dict] = []
        if summary.exists():
            try:
                rows = json.loads(summary.read_text())
            except ValueError as error:
                problem = problem or f"unreadable summary ({error})"
        if problem is None and not rows:
            last = tail[-1] if tail else "no output"
            problem = f"failed (exit {returncode}): {last}"
        elif problem is None and returncode not in (0, 1):
            # 1 is how votes and pages say a target was missed; the rows show which.
            problem = f"exited {returncode} after writing its figures"
        return rows, problem


# ------------------------------------------------------------------------------ the table
def number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 10):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def row_line(benchmark: str, row: dict) -> str:
    result = f"{number(row['value'])} {row['unit']}".strip()
    baseline = (
        f"{number(row['baseline'])} {row.get('baseline_unit') or ''}".strip()
        if row.get("baseline") is not None
        else ""
    )
    ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else ""
    met = {True: "yes", False: "**no**", None: ""}[row.get("met")]
    return (
        "| "
        + " | ".join(
            cell(text)
            for text in [
                benchmark,
                row["figure"],
                result,
                baseline,
                ratio,
                row.get("target") or "",
                met,
                f"`{row['command']}`",
            ]
        )
        + " |"
    )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def section(
    results: list[tuple[Script, list[dict], str | None]], started: datetime.datetime, seconds: float
) -> str:
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    lines = [
        START,
        "## Latest run (generated)",
        "",
        f"Written by `make bench` (`bench/report.py`) on {started:%d %B %Y, %H:%M} UTC, in "
        f"{seconds / 60:.0f} min, on {platform.node()}: {os.cpu_count()} CPUs (nproc "
        f"{len(os.sched_getaffinity(0))}), {cpu_model()}, load average {load} at the end. "
        "Each baseline is measured in the same run; the ratio is what to compare between "
        "runs. Everything between the `bench:table` markers is rewritten on each run; the "
        "sections below are hand-written analysis of earlier runs.",
        "",
        "| benchmark | figure | result | baseline (same run) | ratio | target | met? | command |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for script, rows, problem in results:
        name = f"`bench/{script.name}.py`"
        lines += [row_line(name, row) for row in rows]
        if problem:
            lines.append(
                "| "
                + " | ".join(
                    cell(text)
                    for text in [
                        name,
                        f"**no figures: {problem}**" if not rows else f"**{problem}**",
                        "",
                        "",
                        "",
                        "",
                        "",
                        f"`{command_text(script)}`",
                    ]
                )
                + " |"
            )
    lines += ["", END]
    return "\n".join(lines)


def rewrite(text: str, generated: str) -> str:
    if START in text and END in text:
        before, rest = text.split(START, 1)
        return before + generated + rest.split(END, 1)[1]
    # First time: after the introduction, i.e. before the first second-level heading.
    at = text.find("\n## ")
    if at < 0:
        return text.rstrip("\n") + "\n\n" + generated + "\n"
    return text[: at + 1] + generated + "\n\n" + text[at + 1 :]


def main() -> int:
    started = datetime.datetime.now(datetime.UTC)
    results = []
    for script in SCRIPTS:
        try:
            rows, problem = run(script)
        except Exception as error:
            rows, problem = [], f"could not run: {error}"
        results.append((script, rows, problem))
        if problem:
            print(f"== bench/{script.name}.py: {problem}", flush=True)
    seconds = (datetime.datetime.now(datetime.UTC) - started).total_seconds()
    try:
        DOC.write_text(rewrite(DOC.read_text(), section(results, started, seconds)))
        print(f"== wrote the table in {DOC.relative_to(ROOT)}", flush=True)
    except OSError as error:
        print(f"== could not write {DOC}: {error}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
