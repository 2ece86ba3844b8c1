"""Events: the outbox relay against raw kombu publishing, and commit-to-activity latency.

    .venv/bin/python bench/events.py

Uses PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
guidebook_bench_events, created and migrated if missing) and RabbitMQ (BENCH_BROKER_URL, default
CELERY_BROKER_URL or amqp://guest:guest@127.0.0.1:5672//), on an exchange and queues of its own
that it deletes afterwards. Prints:

1. raw kombu: N persistent JSON messages, publisher confirms, to a durable queue: msgs/s;
2. the relay: N pending outbox rows published the same way and marked published: events/s,
   and its ratio to (1), measured alternately three times, medians (target >= 0.8);
3. latency from a committed publish() to its Activity row, with `relay_events` and
   `consume_events --queue activity` running as subprocesses: p50/p95/max (target p95 <= 1 s).
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

ROOT = harness.ROOT

N = int(os.environ.get("BENCH_EVENTS", "5000"))
ROUNDS = 3
LATENCY_SAMPLES = int(os.environ.get("BENCH_LATENCY_SAMPLES", "200"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/guidebook_bench_events"
)
BROKER_URL = (
    os.environ.get("BENCH_BROKER_URL")
    or os.environ.get("CELERY_BROKER_URL")
    or "amqp://guest:guest@127.0.0.1:5672//"
)
SUFFIX = f".bench-{os.getpid()}"
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "false",  # no query log growing in the long-running processes
    "LOG_LEVEL": "WARNING",
    "DATABASE_URL": DATABASE_URL,
    "CELERY_BROKER_URL": BROKER_URL,
    "EVENTS_BROKER_URL": BROKER_URL,
    "EVENTS_EXCHANGE": f"guidebook.events{SUFFIX}",
}
os.environ.update(ENVIRONMENT)


harness.ensure_database(DATABASE_URL)
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from kombu import Exchange, Producer, Queue  # noqa: E402

from guidebook.events.models import Activity, Outbox  # noqa: E402
from guidebook.events.relay import relay_outbox  # noqa: E402
from guidebook.events.services import publish  # noqa: E402
from guidebook.events.topology import (  # noqa: E402
    broker_connection,
    dead_letter_exchange,
    dead_letter_queue,
    events_exchange,
    queue_name,
)

SAMPLE_DATA = {
    "question_id": 42,
    "question": "Which is the best viewpoint in Lisbon?",
    "url": "/polls/42/results/",
}


def raw_publish_rate(channel, exchange: Exchange, queue: Queue) -> float:
    producer = Producer(channel, exchange=exchange, serializer="json")
    body = Outbox(type="polls.vote.cast", data=SAMPLE_DATA).envelope()
    started = time.perf_counter()
    for _ in range(N):
        producer.publish(body, routing_key="polls.vote.cast", delivery_mode=2, retry=False)
    elapsed = time.perf_counter() - started
    queue(channel).purge()
    return N / elapsed


def relay_rate(connection, queue: Queue) -> float:
    Outbox.objects.all().delete()
    Outbox.objects.bulk_create(Outbox(type="polls.vote.cast", data=SAMPLE_DATA) for _ in range(N))
    started = time.perf_counter()
    sent = 0
    while batch := relay_outbox(connection=connection):
        sent += batch
    elapsed = time.perf_counter() - started
    assert sent == N and not Outbox.objects.pending().exists()
    queue(connection.default_channel).purge()
    return N / elapsed


def throughput(connection) -> tuple[float, float]:
    channel = connection.default_channel
    raw_exchange = Exchange(f"bench-raw{SUFFIX}", type="topic", durable=True)
    # Both routes end in a durable queue, so both pay for persisting every message.
    raw_queue = Queue(f"bench-raw{SUFFIX}", raw_exchange, routing_key="#", durable=True)
    relay_queue = Queue(queue_name("bench-sink"), events_exchange(), routing_key="#", durable=True)
    raw_queue(channel).declare()
    relay_queue(channel).declare()
    try:
        raw_publish_rate(channel, raw_exchange, raw_queue)  # warm-up, both sides
        raws, relays = [], []
        for _ in range(ROUNDS):
            raws.append(raw_publish_rate(channel, raw_exchange, raw_queue))
            relays.append(relay_rate(connection, relay_queue))
        return statistics.median(raws), statistics.median(relays)
    finally:
        raw_queue(channel).delete()
        relay_queue(channel).delete()
        raw_exchange(channel).delete()


def start(*command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *command],
        cwd=ROOT,
        env={**os.environ, **ENVIRONMENT},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for_activity(event_id, timeout: float = 10.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if Activity.objects.filter(event_id=event_id).exists():
            return True
        time.sleep(0.001)
    return False


def latencies(connection) -> list[float]:
    Activity.objects.all().delete()
    processes = [
        start("relay_events", "--interval", "1"),
        start("consume_events", "--queue", "activity", "--bind", "#", "--retry-delay", "0"),
    ]
    try:
        activity_queue = Queue(queue_name("activity"))(connection.default_channel)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the consumer declares its queue, then consumes
            try:
                if activity_queue.queue_declare(passive=True).consumer_count:
                    break
            except connection.channel_errors:
                connection.collect()  # a passive declare of a missing queue closes the channel
                activity_queue = activity_queue(connection.default_channel)
            time.sleep(0.1)
        else:
            raise SystemExit(
                "the activity consumer did not start: "
                + processes[1].stderr.read1().decode(errors="replace")
            )
        samples = []
        for i in range(LATENCY_SAMPLES + 10):
            with transaction.atomic():
                event = publish("polls.vote.cast", {**SAMPLE_DATA, "question_id": i})
            committed = time.perf_counter()
            if not wait_for_activity(event.id):
                raise SystemExit(f"event {event.id} never became an Activity row")
            if i >= 10:  # the first ones warm the relay's LISTEN and both processes up
                samples.append(time.perf_counter() - committed)
            time.sleep(0.01)
        return samples
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
        channel = connection.default_channel
        Queue(queue_name("activity"))(channel).delete()
        dead_letter_queue("activity")(channel).delete()


def main() -> None:
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    Outbox.objects.all().delete()
    with broker_connection() as connection:
        try:
            raw, relay = throughput(connection)
            print(
                f"raw kombu, persistent + confirms: {raw:8.0f} msgs/s   (N={N}, median of {ROUNDS})"
            )
            print(f"relay_outbox, same:               {relay:8.0f} events/s")
            print(f"ratio relay / raw:                {relay / raw:8.2f}     (target >= 0.8)")
            samples = sorted(latencies(connection))
            p95 = samples[int(0.95 * len(samples)) - 1]
            print(
                f"commit -> Activity row latency:   p50 {statistics.median(samples) * 1000:.1f}"
                f" ms, p95 {p95 * 1000:.1f} ms, max {samples[-1] * 1000:.1f} ms "
                f"({len(samples)} events; target p95 <= 1000 ms)"
            )
            harness.write_summary(
                [
                    harness.summary_row(
                        f"`relay_outbox`: {N:,} outbox rows published with confirms and marked "
                        f"(median of {ROUNDS}; baseline: raw kombu, same publishing)",
                        relay,
                        "events/s",
                        baseline=raw,
                        baseline_unit="msgs/s",
                        ratio=relay / raw,
                        target="≥ 0.8",
                        met=relay / raw >= 0.8,
                    ),
                    harness.summary_row(
                        f"committed `publish()` → `Activity` row, p95 of {len(samples)} events "
                        f"(p50 {statistics.median(samples) * 1000:.1f} ms, "
                        f"max {samples[-1] * 1000:.1f} ms)",
                        p95 * 1000,
                        "ms",
                        target="≤ 1000 ms",
                        met=p95 <= 1.0,
                    ),
                ]
            )
        finally:
            channel = connection.default_channel
            events_exchange()(channel).delete()
            dead_letter_exchange()(channel).delete()
            Outbox.objects.all().delete()
    print(f"(bench took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
