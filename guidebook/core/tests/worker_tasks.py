"""Tasks for tests that run a real worker in a subprocess (`celery worker --include` this)."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="core_tests.slow_first_time", ignore_result=True)
def slow_first_time(marker: str) -> None:
    """Record each attempt (with this process's pid); the first attempt hangs until killed."""
    path = Path(marker)
    attempts = path.read_text().splitlines() if path.exists() else []
    attempts.append(f"started {os.getpid()}")
    path.write_text("\n".join(attempts))
    if len(attempts) == 1:
        time.sleep(60)
    path.write_text("\n".join([*attempts, "done"]))
