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
- direct: what the upload page's script does with S3: ask for a key, POST the file to the
  bucket, confirm, then poll the upload's status every POLL seconds (the page's interval) until
  its thumbnail is there, and load the thumbnail. Every request the
  web process answers in that time counts, the polls included.

Prints the bytes the web processes take in per uploaded MB (the requests they receive, counted
as the client sends them, plus what they read from files, /proc/<pid>/io rchar: an upload's
temporary file, say) and the CPU they use per uploaded MB, each path's and their ratio, and the
time from the last byte sent to the bucket to the thumbnail loaded, p50 and p95, the worker idle
otherwise. Targets: direct <= 1 % of the bytes and <= 5 % of the CPU; p95 <= 2 s.

Environment:
  BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/guidebook_bench_uploads; created
                      if missing; its name must contain "bench" (its images are deleted)
  BENCH_REDIS_URL     default redis://127.0.0.1:6379/13 (emptied)
  BENCH_BROKER_URL    default amqp://guest:guest@127.0.0.1:5672//
  BENCH_UPLOAD_RUNS   10 (each kind of JPEG, each path)
  BENCH_WORKERS       gunicorn workers (WEB_CONCURRENCY), default 2 x CPUs + 1
"""

import io
import json
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import urllib3
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.renditions import photo_like_jpeg

DATABASE_URL = harness.database_url("guidebook_bench_uploads")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
RUNS = harness.env_int("BENCH_UPLOAD_RUNS", 10)
POLL = 0.5  # seconds: the upload page's interval (static/images/uploads.js, POLL_MS)
TIMEOUT = 60  # seconds for one upload's thumbnail
BYTES_TARGET, CPU_TARGET, LATENCY_TARGET = 0.01, 0.05, 2.0
MB = 1024 * 1024
BUDGET_SECONDS = 170
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

    @property
    def cookies(self) -> dict[str, str]:
        return {"Cookie": f"sessionid={self.session}; csrftoken={self.secret}"}

    def post(self, path: str, fields: dict, accept: str = "application/json"):
        body, content_type = urllib3.encode_multipart_formdata(
            {**fields, "csrfmiddlewaretoken": self.secret}
        )
        headers = {**self.cookies, "Content-Type": content_type, "Accept": accept}
        return harness.request(self.port, "POST", path, body, headers)

    def poll(self, path: str, done) -> dict:
        """As the page polls: wait POLL seconds, ask, until `done(answer)`."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            time.sleep(POLL)
            status, _, body = harness.request(
                self.port, "GET", path, headers={**self.cookies, "Accept": "application/json"}
            )
            if status == 200 and done(answer := json.loads(body)):
                return answer
        raise RuntimeError(f"{path}: not done after {TIMEOUT} s")


def through_site(client: Client, data: bytes, name: str) -> None:
    status, _, _ = client.post(
        "/images/upload/",
        {"image": (name, data, "image/jpeg"), "visibility": "public"},
        accept="text/html",
    )
    if status != 302:
        raise RuntimeError(f"the upload form answered {status}")


def direct(client: Client, data: bytes, name: str) -> float:
    """Seconds from the last byte sent to the bucket to the thumbnail loaded."""
    fields = {"name": name, "content_type": "image/jpeg", "size": len(data), "visibility": "public"}
    status, _, body = client.post("/images/uploads/", fields)
    if status != 201:
        raise RuntimeError(f"no key issued ({status}): {body[:200]!r}")
    issued = json.loads(body)
    post = issued["post"]
    sent = urllib3.request(
        "POST", post["url"], fields={**post["fields"], "file": (name, data, "image/jpeg")}
    )
    last_byte = time.monotonic()
    if sent.status != 204:
        raise RuntimeError(f"the bucket answered {sent.status}")
    client.post(issued["confirm_url"], {"key": issued["key"]})
    ready = client.poll(
        issued["status_url"], lambda s: s["state"] == "refused" or s["ready"] or s["failed"]
    )
    if not ready["ready"]:
        raise RuntimeError(f"no thumbnail: {ready}")
    urllib3.request("GET", ready["thumbnail"]).data  # noqa: B018 - the browser loads it
    return time.monotonic() - last_byte


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
    read: int = 0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def per_mb(self) -> tuple[float, float]:
        return self.read / self.megabytes, 1000 * self.cpu / self.megabytes


def measure(site: harness.Gunicorn, figures: Figures, upload, client: Client, data: bytes) -> None:
    """Upload `data` one way, adding what the web processes read and used meanwhile (their CPU
    is counted in 10 ms ticks: the runs add up to a figure, one upload does not)."""
    meter = harness.CpuMeter({"web": site.pids})
    pids = site.pids()
    before = harness.bytes_read(pids) + harness.CountingConnection.sent
    meter.start()
    latency = upload(client, data, f"bench-{len(figures.latencies)}-{figures.read}.jpg")
    figures.cpu += meter.stop()["web"]
    figures.read += harness.bytes_read(pids) + harness.CountingConnection.sent - before
    figures.megabytes += len(data) / MB
    if latency is not None:
        figures.latencies.append(latency)


# ------------------------------------------------------------------------------ run
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
        data = photos(RUNS + workers)
        DEADLINE.check("setup")
        # Warm-up, not measured: each web worker has its first requests behind it, its S3
        # client made (botocore reads its service descriptions, about 1 MB) and its broker
        # connection open, as they are in a site that has been up a while.
        for n in range(workers):
            through_site(client, data["smooth"][RUNS + n], "warm-through.jpg")
            direct(client, data["grainy"][RUNS + n], "warm-direct.jpg")
        made = 2 * workers
        renditions_made(made)
        figures = {(kind, path): Figures() for kind in data for path in ("through", "direct")}
        for run in range(RUNS):
            for kind in data:
                measure(site, figures[kind, "through"], through_site, client, data[kind][run])
                measure(site, figures[kind, "direct"], direct, client, data[kind][run])
                made += 2
                renditions_made(made)
            DEADLINE.check(f"run {run + 1}")
    finally:
        for service in reversed(services):
            service.stop()
        shutil.rmtree(static_root, ignore_errors=True)
    sizes = {kind: statistics.mean(map(len, data[kind][:RUNS])) / MB for kind in data}
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


def report(figures: dict[tuple[str, str], Figures], sizes: dict[str, float], log: str) -> int:
    print(
        f"Procfile web and worker · production settings · S3 on moto's server · {RUNS} runs "
        f"each way of each kind of 12 MP JPEG · log {log}"
    )
    print(
        f"{'web process, per uploaded MB':<36} {'through site':>13} {'direct':>10} {'ratio':>7}"
        f"   last byte -> thumbnail: p50, p95"
    )
    rows = []
    for kind, size in sizes.items():
        through, straight = figures[kind, "through"], figures[kind, "direct"]
        (through_bytes, through_cpu), (direct_bytes, direct_cpu) = (
            through.per_mb(),
            straight.per_mb(),
        )
        bytes_ratio, cpu_ratio = direct_bytes / through_bytes, direct_cpu / through_cpu
        p50 = statistics.median(straight.latencies)
        p95 = harness.percentile(straight.latencies, 0.95)
        what = f"{kind} ({size:.1f} MB)"
        print(
            f"{what + ', bytes in':<36} {through_bytes:>13,.0f} {direct_bytes:>10,.0f} "
            f"{bytes_ratio:>7.2%}   {p50:.2f} s, {p95:.2f} s\n"
            f"{what + ', CPU ms':<36} {through_cpu:>13.1f} {direct_cpu:>10.2f} {cpu_ratio:>7.2%}"
            f"   (direct: {1000 * straight.cpu / RUNS:.0f} ms a file)"
        )
        rows += [
            ratio_row(
                f"bytes the web process takes in (requests received, files read) per uploaded MB, "
                f"{kind} 12 MP JPEG ({size:.1f} MB), direct to S3 (key, confirmation, status "
                "polls) against through the site",
                (direct_bytes, through_bytes),
                "B/MB",
                BYTES_TARGET,
            ),
            ratio_row(
                f"web process CPU per uploaded MB, {kind} 12 MP JPEG ({size:.1f} MB), direct to "
                f"S3 against through the site (direct: {1000 * straight.cpu / RUNS:.0f} ms a file)",
                (direct_cpu, through_cpu),
                "ms/MB",
                CPU_TARGET,
            ),
            harness.summary_row(
                f"last byte sent to the bucket → thumbnail loaded, {kind} 12 MP JPEG "
                f"({size:.1f} MB), idle worker, p95 of {RUNS} (p50 {p50:.2f} s; polled every "
                f"{POLL} s as the page does)",
                p95,
                "s",
                target=f"≤ {LATENCY_TARGET:.0f} s",
                met=p95 <= LATENCY_TARGET,
            ),
        ]
    print(
        f"targets: direct ≤ {BYTES_TARGET:.0%} of the bytes and ≤ {CPU_TARGET:.0%} of the CPU "
        f"per MB; p95 ≤ {LATENCY_TARGET:.0f} s (polled every {POLL} s, as the page does)"
    )
    harness.write_summary(rows)
    return 0 if all(row["met"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
