"""Milliseconds per 1600 px JPEG rendition of a 12-megapixel photo-like JPEG, three ways.

    .venv/bin/python bench/renditions.py [--runs 15]

- ours:  guidebook.images.processing.make_one_rendition (draft decoding, EXIF orientation,
         reducing_gap, metadata-free encode)
- plain: Pillow open -> resize(LANCZOS) -> save
- draft: Pillow open -> draft("RGB", (1600, 1200)) -> resize(LANCZOS) -> save
All three save JPEG at quality 85 from the same bytes, in the same process; the ratios are what
matter (target: ours <= 1.2x draft). Also prints the cost of all four renditions of one image.

Two end-to-end measurements need a configured site (DATABASE_URL, MEDIA_ROOT, migrated):

    .venv/bin/python bench/renditions.py --end-to-end 20
        upload -> both renditions ready, through the broker to an idle worker started beforehand
        (`celery -A config worker -Q bench_images -c 1`, same environment); prints p50/p95.
        Its own queue, so that it never takes tasks from a test run sharing the broker.
    .venv/bin/python bench/renditions.py --upload-rss http://127.0.0.1:8000 --pid PID
        streams a ~100 MB PNG to /images/upload/ on a running web server (started with
        IMAGE_MAX_UPLOAD_BYTES and IMAGE_MAX_PIXELS raised) and samples that process's RSS.
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

# A pure module: no Django setup needed for the per-rendition figures.
from guidebook.images import processing

WIDTH, HEIGHT, TARGET = 4000, 3000, 1600


def photo_like_jpeg() -> bytes:
    """Gradients plus blurred noise plus fine noise: compresses like a photograph, not a flat
    test card (a flat image would make decoding unrealistically cheap)."""
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    radial = Image.radial_gradient("L").resize((WIDTH, HEIGHT))
    coarse = Image.effect_noise((WIDTH // 8, HEIGHT // 8), 60).resize((WIDTH, HEIGHT))
    fine = Image.effect_noise((WIDTH, HEIGHT), 25)
    red = Image.blend(gradient, coarse, 0.4)
    green = Image.blend(radial, fine, 0.3)
    blue = Image.blend(gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), coarse, 0.5)
    return jpeg_bytes(Image.merge("RGB", (red, green, blue)).filter(ImageFilter.SMOOTH), 90)


def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def ours(data: bytes) -> bytes:
    return processing.make_one_rendition(io.BytesIO(data), TARGET, "jpeg").data


def resized_jpeg(image: Image.Image) -> bytes:
    """`image` resized to TARGET px wide with LANCZOS, saved as JPEG at quality 85."""
    resized = image.resize((TARGET, TARGET * image.height // image.width), Image.LANCZOS)
    return jpeg_bytes(resized, 85)


def plain(data: bytes) -> bytes:
    return resized_jpeg(Image.open(io.BytesIO(data)))


def draft(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (TARGET, TARGET * image.height // image.width))
    return resized_jpeg(image)


def all_four(data: bytes) -> int:
    return len(processing.make_renditions(io.BytesIO(data)))


def measure(function, data: bytes, runs: int) -> tuple[float, float]:
    function(data)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(data)
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def setup_django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()


def end_to_end(count: int) -> None:
    """Upload through the service, commit, and poll until the worker has made the renditions."""
    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from config.celery import app
    from guidebook.accounts.models import User
    from guidebook.images.models import Rendition
    from guidebook.images.services import image_create

    app.conf.task_routes = {"images.*": {"queue": "bench_images", "routing_key": "bench_images"}}

    owner, _ = User.objects.get_or_create(username="bench")
    photo = Image.open(io.BytesIO(photo_like_jpeg()))
    latencies = []
    for run in range(count):
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=70 + run % 30, comment=f"run {run} {time.time()}")
        start = time.perf_counter()
        image = image_create(owner=owner, file=SimpleUploadedFile("bench.jpg", out.getvalue()))
        while Rendition.objects.filter(image=image).count() < 4:
            if time.perf_counter() - start > 30:
                raise SystemExit("no renditions after 30 s: is a worker consuming `images`?")
            time.sleep(0.01)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    p95 = harness.percentile(latencies, 0.95)
    print(
        f"upload (12 MP JPEG) -> 4 renditions ready, {count} runs: "
        f"p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
        f"max {latencies[-1]:.0f} ms"
    )
    harness.write_summary(
        [
            harness.summary_row(
                f"upload (12 MP JPEG) → 4 renditions ready, p95 of {count} runs "
                f"(p50 {statistics.median(latencies):.0f} ms, max {latencies[-1]:.0f} ms)",
                p95,
                "ms",
                target="≤ 1000 ms",
                met=p95 <= 1000,
            )
        ]
    )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def upload_rss(base_url: str, pid: int) -> None:
    """Stream a ~100 MB PNG (stored without compression) and watch the server's RSS."""
    import threading

    import requests

    setup_django()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from guidebook.accounts.backends import BACKEND_PATH
    from guidebook.accounts.models import User

    user, _ = User.objects.get_or_create(username="bench")
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            BACKEND_SESSION_KEY: BACKEND_PATH,
        }
    )
    session.create()

    width, height = 6000, 5600  # 100.8 MB of raw RGB, stored uncompressed (level 0)
    image = Image.frombytes("RGB", (width, height), bytes(width * 3) * height)
    png = io.BytesIO()
    image.save(png, "PNG", compress_level=0)
    del image
    data = png.getvalue()
    print(f"uploading a {len(data) / 1e6:.0f} MB PNG")
    samples = [rss_kib(pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    token = "a" * 32
    response = requests.post(
        f"{base_url}/images/upload/",
        files={"image": ("big.png", io.BytesIO(data), "image/png")},
        data={"description": "RSS benchmark", "visibility": "private"},
        cookies={"sessionid": session.session_key, "csrftoken": token},
        headers={"X-CSRFToken": token},
        allow_redirects=False,
        timeout=300,
    )
    done.set()
    sampler.join()
    print(
        f"status {response.status_code} -> {response.headers.get('Location')}; web RSS before "
        f"{samples[0] / 1024:.0f} MiB, peak {max(samples) / 1024:.0f} MiB, growth "
        f"{(max(samples) - samples[0]) / 1024:.0f} MiB ({len(samples)} samples)"
    )
    growth_mb = (max(samples) - samples[0]) * 1024 / 1e6
    harness.write_summary(
        [
            harness.summary_row(
                f"web-process RSS growth while a {len(data) / 1e6:.0f} MB PNG uploads "
                f"(status {response.status_code}; baseline: RSS before, MB)",
                growth_mb,
                "MB",
                baseline=samples[0] * 1024 / 1e6,
                baseline_unit="MB",
                target="≤ 30 MB",
                met=growth_mb <= 30,
            )
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--end-to-end", type=int, metavar="N")
    parser.add_argument("--upload-rss", metavar="BASE_URL")
    parser.add_argument("--pid", type=int)
    args = parser.parse_args()
    if args.end_to_end:
        return end_to_end(args.end_to_end)
    if args.upload_rss:
        return upload_rss(args.upload_rss, args.pid)
    data = photo_like_jpeg()
    print(
        f"source: {WIDTH}x{HEIGHT} JPEG q90, {len(data) / 1e6:.1f} MB; "
        f"{args.runs} runs each; Pillow {Image.__version__}"
    )
    results = {
        name: measure(function, data, args.runs)
        for name, function in [
            ("plain", plain),
            ("draft", draft),
            ("ours", ours),
            ("ours, all 4 renditions", all_four),
        ]
    }
    for name, (best, median) in results.items():
        print(f"{name:>24}: best {best:7.1f} ms   median {median:7.1f} ms")
    ours_median, draft_median = results["ours"][1], results["draft"][1]
    print(f"ours / draft = {ours_median / draft_median:.2f}x (target <= 1.20x)")
    print(f"plain / ours = {results['plain'][1] / ours_median:.1f}x faster than plain Pillow")
    plain_median, four_median = results["plain"][1], results["ours, all 4 renditions"][1]
    harness.write_summary(
        [
            harness.summary_row(
                f"one 1600 px JPEG rendition of a 12 MP JPEG, median of {args.runs} "
                "(ours; baseline: Pillow with draft)",
                ours_median,
                "ms",
                baseline=draft_median,
                baseline_unit="ms",
                ratio=ours_median / draft_median,
                target="≤ 1.2",
                met=ours_median / draft_median <= 1.2,
            ),
            harness.summary_row(
                "the same, plain Pillow without draft (ratio: plain ÷ ours, a speed-up)",
                plain_median,
                "ms",
                baseline=ours_median,
                baseline_unit="ms",
                ratio=plain_median / ours_median,
                target=None,
                met=None,
            ),
            harness.summary_row(
                f"ours, all four renditions from one decode, median of {args.runs}",
                four_median,
                "ms",
                target=None,
                met=None,
            ),
        ]
    )


if __name__ == "__main__":
    main()
