"""What an upload costs the web process, straight to the bucket against through the site.

    .venv/bin/python bench/uploads.py

Serves the site with the Procfile's `web` command (gunicorn, gunicorn.conf.py) under production
settings with media on S3 (moto's standalone server, a process of its own), PostgreSQL, Redis and
the Procfile's `worker` (Celery on RabbitMQ, queues of this run's own). Each run uploads two
different 12-megapixel JPEGs both ways, in turn: bench/renditions.py's smooth photo-like one
(about 2 MB) and the same with a camera sensor's grain (about 7 MB, as phones' and cameras'
photos are):

- through the site: one POST of the file to /images/upload/, as the form without JavaScript
  sends it (the web process receives it, checks it and stores it in the bucket);
- direct: what the upload page's script does with S3 (static/images/uploads.js), for a
  selection of files: ask for the keys of the files about to be sent in one request, POST
  the files to the bucket AT_ONCE at a time, confirm each as it arrives (those that arrive
  while a confirmation is on its way together in the next), and poll the statuses of every
  pending file in one request, as often as the page does, until each thumbnail is there, then
  load it. Measured twice: one file alone (a selection of one, or a retry), with the worker
  idle, which times last byte to thumbnail against the target; and a selection of RUNS files,
  the photo set the page is for. Every request the web process answers in that time counts,
  the polls included.

Prints the bytes the web processes take in per uploaded MB (the requests they receive, counted
as the client sends them, plus what they read from files, /proc/<pid>/io rchar: an upload's
temporary file, say) and the CPU they use per uploaded MB, each path's and their ratio, and the
time from the last byte sent to the bucket to the thumbnail loaded, p50 and p95 (for one file,
the worker idle otherwise; for a selection, the worker busy with the others). Targets: direct
<= 1 % of the bytes and <= 5 % of the CPU; p95 <= 2 s for one file.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_uploads; created
                      if missing; its name must contain "bench" (its images are deleted)
  BENCH_REDIS_URL     default redis://127.0.0.1:6379/13 (emptied)
  BENCH_BROKER_URL    default amqp://guest:guest@127.0.0.1:5672//
  BENCH_UPLOAD_RUNS   10 (each kind of JPEG, each path; also the size of a selection)
  BENCH_WORKERS       gunicorn workers (WEB_CONCURRENCY), default 2 x CPUs + 1
"""

import collections
import io
import json
import os
import shutil
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import urllib3
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.renditions import photo_like_jpeg

DATABASE_URL = harness.database_url("guidebook_bench_uploads")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
RUNS = harness.env_int("BENCH_UPLOAD_RUNS", 10)
# As the upload page's script (static/images/uploads.js) sends, confirms and polls:
POLL, MAX_POLL = 0.5, 4.0  # seconds: POLL_MS, MAX_POLL_MS
AT_ONCE, KEYS_AT_ONCE = 3, 20
TIMEOUT = 60  # seconds for one upload's thumbnail
BYTES_TARGET, CPU_TARGET, LATENCY_TARGET = 0.01, 0.05, 2.0
MB = 1024 * 1024
BUDGET_SECONDS = 240
DEADLINE = harness.Deadline(
    BUDGET_SECONDS, "bench/uploads.py", f"{BUDGET_SECONDS} s", "try a smaller BENCH_UPLOAD_RUNS"
)
BUCKET = "guidebook-bench-uploads"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}


# ------------------------------------------------------------------------------ setup
def start_moto() -> tuple[harness.Service, str]:
    port = harness.free_port()
    server = harness.Service(
        ["python", "-m", "moto.server", "-H", harness.LOCALHOST, "-p", str(port)], {}
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            harness.request(port, "GET", "/")
            return server, f"http://{harness.LOCALHOST}:{port}"
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"moto's S3 server did not start; see {server.log.name}"
                ) from None
            time.sleep(0.2)


def site_environment(static_root: str, endpoint: str) -> dict[str, str]:
    return harness.production_environment(
        DATABASE_URL,
        static_root,
        harness.gunicorn_workers(),
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=endpoint,
        CELERY_BROKER_URL=BROKER_URL,
        # Queues of this run's own: never a task taken from (or left to) anybody else's worker.
        TASK_QUEUE_SUFFIX=f".bench-uploads-{os.getpid()}",
        **CREDENTIALS,
    )


def worker_command(suffix: str) -> list[str]:
    """The Procfile's worker, consuming this run's queues."""
    command = harness.procfile_command("worker")
    at = command.index("--queues") + 1
    command[at] = ",".join(f"{queue}{suffix}" for queue in command[at].split(","))
    return command


def prepare(endpoint: str) -> "Client":
    import boto3

    from guidebook.images.models import DirectUpload
    from guidebook.images.models import Image as ImageRow

    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    # Rows from an earlier run point at files of a moto server that is gone.
    DirectUpload.objects.all().delete()
    ImageRow.objects.all().delete()
    (session,) = harness.create_voters(1)
    return Client(session, harness.csrf_secret())


def photos(count: int) -> dict[str, list[bytes]]:
    """`count` different 12 MP JPEGs of each kind (one picture saved at other qualities):
    "smooth", bench/renditions.py's photo-like JPEG, and "grainy", the same with a camera
    sensor's grain, as large as a phone's or a camera's photo."""
    smooth = Image.open(io.BytesIO(photo_like_jpeg()))
    grain = Image.effect_noise(smooth.size, 40).convert("RGB")
    pictures = {"smooth": (smooth, 90), "grainy": (Image.blend(smooth, grain, 0.25), 96)}
    out: dict[str, list[bytes]] = {}
    for kind, (picture, quality) in pictures.items():
        out[kind] = []
        for n in range(count):
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=quality - n % 4, comment=f"{kind} {n}")
            out[kind].append(buffer.getvalue())
    return out


# ------------------------------------------------------------------------------ the two paths
@dataclass
class Client:
    """A signed-in browser: its session and CSRF cookies, and the form's token."""

    session: str
    secret: str
    port: int = 0
    # Requests sent to the site, by what they ask ("keys", "confirmations", "polls", "form").
    sent: collections.Counter = field(default_factory=collections.Counter)
    counting: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> None:
        kind = {"/images/uploads/": "keys", "/images/uploads/done/": "confirmations"}.get(
            path, "polls" if path.startswith("/images/uploads/") else "form"
        )
        with self.counting:
            self.sent[kind] += 1

    @property
    def cookies(self) -> dict[str, str]:
        return {"Cookie": f"sessionid={self.session}; csrftoken={self.secret}"}

    def post(self, path: str, fields: dict, accept: str = "application/json"):
        body, content_type = urllib3.encode_multipart_formdata(
            {**fields, "csrfmiddlewaretoken": self.secret}
        )
        headers = {**self.cookies, "Content-Type": content_type, "Accept": accept}
        self.count(path)
        return harness.request(self.port, "POST", path, body, headers)

    def post_urlencoded(self, path: str, pairs: list[tuple[str, str]]):
        """A POST as the page's script sends its keys and confirmations (URLSearchParams)."""
        body = urlencode([*pairs, ("csrfmiddlewaretoken", self.secret)]).encode()
        headers = {
            **self.cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        self.count(path)
        return harness.request(self.port, "POST", path, body, headers)

    def get_json(self, path: str):
        self.count(path.partition("?")[0])
        status, _, body = harness.request(
            self.port, "GET", path, headers={**self.cookies, "Accept": "application/json"}
        )
        return json.loads(body) if status == 200 else None


def through_site(client: Client, files: list[bytes], name: str) -> None:
    """The form without JavaScript, one POST a file."""
    for n, data in enumerate(files):
        status, _, _ = client.post(
            "/images/upload/",
            {"image": (f"{name}-{n}.jpg", data, "image/jpeg"), "visibility": "public"},
            accept="text/html",
        )
        if status != 302:
            raise RuntimeError(f"the upload form answered {status}")


@dataclass
class File:
    """One file of a selection on its way, as the page's script follows it."""

    name: str
    data: bytes
    issued: dict | None = None
    last_byte: float = 0.0
    watched_since: float = 0.0
    latency: float | None = None


class Selection:
    """The upload page's script sending `files` straight to the bucket: keys asked for with
    the files still waiting (KEYS_AT_ONCE at most), AT_ONCE sending at a time (a place is
    free once a file is sent and confirmed), confirmations one at a time with the files that
    arrived meanwhile, and one poll for every file waiting for its thumbnail, POLL seconds
    after a file joins, then every newest-wait / 4 seconds between POLL and MAX_POLL."""

    def __init__(self, client: Client, files: list[File]) -> None:
        self.client, self.files = client, files
        self.lock = threading.Condition()
        self.keys = threading.Lock()  # the confirmations and polls go on meanwhile
        self.next_file = 0
        self.to_confirm: list[tuple[File, threading.Event]] = []
        self.watched: dict[str, File] = {}
        self.poll_due: float | None = None
        self.finished = 0
        self.errors: list[str] = []

    def run(self) -> list[float]:
        """Seconds from each file's last byte sent to its thumbnail loaded."""
        threads = [threading.Thread(target=self.send_files) for _ in range(AT_ONCE)]
        threads += [threading.Thread(target=self.confirm_files), threading.Thread(target=self.poll)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        if self.errors or self.finished < len(self.files):
            raise RuntimeError(f"direct: {self.errors or 'not done in time'}")
        return [file.latency for file in self.files if file.latency is not None]

    def fail(self, error: str) -> None:
        with self.lock:
            self.errors.append(error)
            self.finished = len(self.files)  # everyone stops
            for _, confirmed in self.to_confirm:
                confirmed.set()
            self.lock.notify_all()

    # -- keys and sending (the AT_ONCE threads)
    def key_for(self, file: File) -> dict:
        with self.keys:
            if file.issued is None:
                group = [f for f in self.files if f.issued is None][:KEYS_AT_ONCE]
                for member, issued in zip(group, self.issue(group), strict=True):
                    member.issued = issued
        assert file.issued is not None
        return file.issued

    def issue(self, group: list[File]) -> list[dict]:
        fields = [("visibility", "public")]
        for file in group:
            fields += [("name", file.name), ("content_type", "image/jpeg")]
            fields += [("size", str(len(file.data)))]
        status, _, body = self.client.post_urlencoded("/images/uploads/", fields)
        if status != 201:
            raise RuntimeError(f"no keys issued ({status}): {body[:200]!r}")
        answer = json.loads(body)
        uploads = answer.get("uploads", [answer])
        return [{"statuses_url": answer["statuses_url"], **upload} for upload in uploads]

    def send_files(self) -> None:
        while True:
            with self.lock:
                if self.next_file >= len(self.files) or self.errors:
                    return
                file = self.files[self.next_file]
                self.next_file += 1
            try:
                issued = self.key_for(file)
                fields = {**issued["post"]["fields"], "file": (file.name, file.data, "image/jpeg")}
                sent = urllib3.request("POST", issued["post"]["url"], fields=fields)
                file.last_byte = time.monotonic()
                if sent.status != 204:
                    raise RuntimeError(f"the bucket answered {sent.status}")
            except Exception as error:  # reported by run()
                return self.fail(repr(error))
            confirmed = threading.Event()
            with self.lock:
                self.to_confirm.append((file, confirmed))
                self.lock.notify_all()
            confirmed.wait(TIMEOUT)

    # -- confirmations (one thread: one on its way at a time)
    def confirm_files(self) -> None:
        while True:
            with self.lock:
                while not self.to_confirm and self.finished < len(self.files):
                    self.lock.wait()
                if self.finished >= len(self.files):
                    return
                batch = self.to_confirm[:KEYS_AT_ONCE]
                del self.to_confirm[:KEYS_AT_ONCE]
            status, _, body = self.client.post_urlencoded(
                "/images/uploads/done/", [("key", file.issued["key"]) for file, _ in batch]
            )
            if status not in (200, 202):
                return self.fail(f"confirmation answered {status}: {body[:200]!r}")
            with self.lock:
                now = time.monotonic()
                for file, confirmed in batch:
                    file.watched_since = now
                    self.watched[str(file.issued["id"])] = file
                    self.schedule_poll(now + POLL)
                    confirmed.set()
                self.lock.notify_all()

    # -- statuses (one thread)
    def schedule_poll(self, at: float) -> None:
        self.poll_due = at if self.poll_due is None else min(self.poll_due, at)

    def poll(self) -> None:
        while True:
            with self.lock:
                while self.finished < len(self.files) and (
                    self.poll_due is None or time.monotonic() < self.poll_due
                ):
                    wait = None if self.poll_due is None else self.poll_due - time.monotonic()
                    self.lock.wait(wait)
                if self.finished >= len(self.files):
                    return
                self.poll_due = None
                watched = dict(self.watched)
            if not watched:
                continue
            answer = self.client.get_json(
                f"{next(iter(watched.values())).issued['statuses_url']}?ids={','.join(watched)}"
            )
            statuses = (answer or {}).get("uploads", {})
            for upload_id, file in watched.items():
                status = statuses.get(upload_id)
                if not status or not (status["state"] == "refused" or status["ready"]):
                    continue
                if not status["ready"]:
                    return self.fail(f"{file.name}: no thumbnail: {status}")
                urllib3.request("GET", status["thumbnail"]).data  # noqa: B018 - the page shows it
                file.latency = time.monotonic() - file.last_byte
                with self.lock:
                    del self.watched[upload_id]
                    self.finished += 1
            with self.lock:
                if self.watched:
                    now = time.monotonic()
                    newest = min(now - file.watched_since for file in self.watched.values())
                    self.schedule_poll(now + min(MAX_POLL, max(POLL, newest / 4)))
                self.lock.notify_all()


def direct(client: Client, files: list[bytes], name: str) -> list[float]:
    """Send `files` as one selection, as the page does: each one's last byte to thumbnail."""
    return Selection(client, [File(f"{name}-{n}.jpg", data) for n, data in enumerate(files)]).run()


def renditions_made(count: int) -> None:
    """Wait until the worker has made every image's renditions (`count` images): the next
    upload then finds it idle."""
    from guidebook.images.models import Rendition

    deadline = time.monotonic() + TIMEOUT
    while Rendition.objects.count() < 4 * count:
        if time.monotonic() > deadline:
            raise RuntimeError("the worker made no renditions: see its log")
        time.sleep(0.05)


@dataclass
class Figures:
    """One path's totals over its runs."""

    megabytes: float = 0.0
    files: int = 0
    read: int = 0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    requests: collections.Counter = field(default_factory=collections.Counter)

    def per_mb(self) -> tuple[float, float]:
        return self.read / self.megabytes, 1000 * self.cpu / self.megabytes

    def ms_a_file(self) -> float:
        return 1000 * self.cpu / self.files

    def requests_a_file(self) -> str:
        return ", ".join(
            f"{kind} {self.requests[kind] / self.files:.2f}"
            for kind in ("keys", "confirmations", "polls")
        )


def measure(
    site: harness.Gunicorn, figures: Figures, upload, client: Client, files: list[bytes]
) -> None:
    """Upload `files` one way, adding what the web processes read and used meanwhile (their CPU
    is counted in 10 ms ticks: the runs add up to a figure, one upload does not)."""
    meter = harness.CpuMeter({"web": site.pids})
    pids = site.pids()
    before = harness.bytes_read(pids) + harness.CountingConnection.sent
    sent = collections.Counter(client.sent)
    meter.start()
    latencies = upload(client, files, f"bench-{figures.files}-{figures.read}")
    figures.cpu += meter.stop()["web"]
    figures.read += harness.bytes_read(pids) + harness.CountingConnection.sent - before
    figures.megabytes += sum(map(len, files)) / MB
    figures.files += len(files)
    figures.latencies += latencies or []
    figures.requests += client.sent - sent


# ------------------------------------------------------------------------------ run
PATHS = ("through", "one", "selection")


def main() -> int:
    static_root = harness.temporary_dir("static")
    moto, endpoint = start_moto()
    services = [moto]
    try:
        environment = site_environment(static_root, endpoint)
        harness.prepare_site(environment, destructive="bench/uploads.py deletes every image")
        client = prepare(endpoint)
        services.append(
            harness.Service(worker_command(environment["TASK_QUEUE_SUFFIX"]), environment)
        )
        site = harness.Gunicorn(harness.procfile_command("web"), environment)
        services.append(site)
        client.port = site.port
        workers = harness.gunicorn_workers()
        data = photos(2 * RUNS + workers)
        DEADLINE.check("setup")
        # Warm-up, not measured: each web worker has its first requests behind it, its S3
        # client made (botocore reads its service descriptions, about 1 MB) and its broker
        # connection open, as they are in a site that has been up a while.
        for n in range(workers):
            through_site(client, [data["smooth"][2 * RUNS + n]], "warm-through")
            direct(client, [data["grainy"][2 * RUNS + n]], "warm-direct")
        direct(client, data["smooth"][2 * RUNS :], "warm-selection")  # the batches' forms
        made = 3 * workers
        renditions_made(made)
        figures = {(kind, path): Figures() for kind in data for path in PATHS}
        for run in range(RUNS):
            for kind in data:
                measure(site, figures[kind, "through"], through_site, client, [data[kind][run]])
                measure(site, figures[kind, "one"], direct, client, [data[kind][run]])
                made += 2
                renditions_made(made)
            DEADLINE.check(f"run {run + 1}")
        for kind in data:  # a photo set: RUNS other files, chosen together
            selection = data[kind][RUNS : 2 * RUNS]
            measure(site, figures[kind, "selection"], direct, client, selection)
            made += RUNS
            renditions_made(made)
        DEADLINE.check("selections")
    finally:
        for service in reversed(services):
            service.stop()
        shutil.rmtree(static_root, ignore_errors=True)
    sizes = {kind: statistics.mean(map(len, data[kind][: 2 * RUNS])) / MB for kind in data}
    return report(figures, sizes, site.log.name)


def ratio_row(figure: str, values: tuple[float, float], unit: str, target: float) -> dict:
    """A summary row for a direct figure against the same through the site, as `values`."""
    direct_value, through_value = values
    ratio = direct_value / through_value
    return harness.summary_row(
        figure,
        direct_value,
        unit,
        baseline=through_value,
        baseline_unit=f"{unit} (through the site)",
        ratio=ratio,
        target=f"≤ {target:.2f}",
        met=ratio <= target,
    )


def latencies(figures: Figures) -> tuple[float, float]:
    return statistics.median(figures.latencies), harness.percentile(figures.latencies, 0.95)


def report(figures: dict[tuple[str, str], Figures], sizes: dict[str, float], log: str) -> int:
    print(
        f"Procfile web and worker · production settings · S3 on moto's server · {RUNS} runs "
        f"each way of each kind of 12 MP JPEG, and a selection of {RUNS} · log {log}"
    )
    print(
        f"{'web process, per uploaded MB':<30} {'through site':>13} {'one file':>16} "
        f"{f'selection of {RUNS}':>20}   last byte -> thumbnail p50, p95: one file; selection"
    )
    rows = []
    for kind, size in sizes.items():
        through, one, selection = (figures[kind, path] for path in PATHS)
        (through_bytes, through_cpu), (one_bytes, one_cpu), (set_bytes, set_cpu) = (
            through.per_mb(),
            one.per_mb(),
            selection.per_mb(),
        )
        (one_p50, one_p95), (set_p50, set_p95) = latencies(one), latencies(selection)
        what = f"{kind} ({size:.1f} MB)"
        print(
            f"{what + ', bytes in':<30} {through_bytes:>13,.0f} {one_bytes:>8,.0f} "
            f"{one_bytes / through_bytes:>7.2%} {set_bytes:>12,.0f} "
            f"{set_bytes / through_bytes:>7.2%}"
            f"   {one_p50:.2f} s, {one_p95:.2f} s; {set_p50:.2f} s, {set_p95:.2f} s\n"
            f"{what + ', CPU ms':<30} {through_cpu:>13.1f} {one_cpu:>8.2f} "
            f"{one_cpu / through_cpu:>7.2%} {set_cpu:>12.2f} {set_cpu / through_cpu:>7.2%}"
            f"   (direct: {one.ms_a_file():.1f} ms a file alone, "
            f"{selection.ms_a_file():.1f} in a selection)\n"
            f"{what + ', requests a file':<30} one file: {one.requests_a_file()}; "
            f"selection: {selection.requests_a_file()}"
        )
        for path, figure, (bytes_in, cpu) in (
            ("one file alone", one, (one_bytes, one_cpu)),
            (f"a selection of {RUNS}", selection, (set_bytes, set_cpu)),
        ):
            rows += [
                ratio_row(
                    f"bytes the web process takes in (requests received, files read) per "
                    f"uploaded MB, {kind} 12 MP JPEG ({size:.1f} MB), direct to S3, {path} "
                    "(keys, confirmations, status polls) against through the site",
                    (bytes_in, through_bytes),
                    "B/MB",
                    BYTES_TARGET,
                ),
                ratio_row(
                    f"web process CPU per uploaded MB, {kind} 12 MP JPEG ({size:.1f} MB), direct "
                    f"to S3, {path}, against through the site (direct: "
                    f"{figure.ms_a_file():.1f} ms a file; requests a file: "
                    f"{figure.requests_a_file()})",
                    (cpu, through_cpu),
                    "ms/MB",
                    CPU_TARGET,
                ),
            ]
        rows += [
            harness.summary_row(
                f"last byte sent to the bucket → thumbnail loaded, {kind} 12 MP JPEG "
                f"({size:.1f} MB), one file alone, idle worker, p95 of {RUNS} (p50 "
                f"{one_p50:.2f} s; polled as the page does)",
                one_p95,
                "s",
                target=f"≤ {LATENCY_TARGET:.0f} s",
                met=one_p95 <= LATENCY_TARGET,
            ),
            harness.summary_row(
                f"last byte sent to the bucket → thumbnail loaded, {kind} 12 MP JPEG "
                f"({size:.1f} MB), in a selection of {RUNS} (the worker busy with the others), "
                f"p95 (p50 {set_p50:.2f} s)",
                set_p95,
                "s",
                target=None,
                met=None,
            ),
        ]
    print(
        f"targets: direct ≤ {BYTES_TARGET:.0%} of the bytes and ≤ {CPU_TARGET:.0%} of the CPU "
        f"per MB; p95 ≤ {LATENCY_TARGET:.0f} s for one file (polled as the page does)"
    )
    harness.write_summary(rows)
    return 0 if all(row["met"] for row in rows if row["met"] is not None) else 1


if __name__ == "__main__":
    sys.exit(main())
