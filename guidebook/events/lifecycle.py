"""What the long-running event commands share: stopping cleanly and reconnecting patiently."""

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT, so the loop finishes its current message and exits.

    Outside the main thread (a test running a command in a thread) signals cannot be caught,
    and the event is only set by whoever holds it.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Backoff:
    """1, 2, 4 … up to `maximum` seconds between reconnection attempts; reset on success."""

    def __init__(self, start: float = 1.0, maximum: float = 30.0):
        self.start, self.maximum = start, maximum
        self.current = start

    def next(self) -> float:
        delay, self.current = self.current, min(self.current * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self.current = self.start


def poll_timeout(deadline: float | None, cap: float = 1.0) -> float:
    """How long one wait for a message may block: short, so that signals, heartbeats and the
    caller's deadline (a time.monotonic() value, or None) are looked at often."""
    if deadline is None:
        return cap
    return max(0.01, min(cap, deadline - time.monotonic()))


def keep_alive(connection) -> None:
    """Read what the broker sent, its heartbeats above all, then send ours. A connection that
    only publishes never reads otherwise: after two heartbeat intervals without a publish it
    would count the broker's heartbeats as missed and give up on a healthy connection."""
    with contextlib.suppress(TimeoutError):
        connection.drain_events(timeout=0)
    connection.heartbeat_check()


def drain(
    connection,
    stop,
    *,
    handled: Callable[[], int],
    max_messages: int | None,
    deadline: float | None,
) -> None:
    """Deliver messages to the connection's consumers until `stop` is set, `max_messages` have
    been handled, or the deadline passes; heartbeats are kept between waits."""
    while not stop.is_set():
        if max_messages is not None and handled() >= max_messages:
            return
        if deadline is not None and time.monotonic() >= deadline:
            return
        with contextlib.suppress(TimeoutError):
            connection.drain_events(timeout=poll_timeout(deadline))
        connection.heartbeat_check()
