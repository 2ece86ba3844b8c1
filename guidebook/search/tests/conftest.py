import time

import pytest
from haystack import connections
from haystack.query import SearchQuerySet


@pytest.fixture(autouse=True)
def clean_index():
    """Every test starts from an empty index. Clearing is a commit, so the searchers cached by
    other threads (the worker's) see it on their next query."""
    backend = connections["default"].get_backend()
    backend.clear()
    backend.reset()
    yield backend
    backend.clear()


def found(query: str) -> set[str]:
    return {result.id for result in SearchQuerySet().auto_query(query)}


def wait_until(condition, timeout: float = 25.0, what: str = "the index to change"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {timeout} s for {what}")
