"""core/caching.remember: a value kept until one of its topics is invalidated."""

import pytest
from django.core.cache import cache

from guidebook.core.caching import _new_versions, invalidate, remember


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_computed_once_while_its_topics_do_not_change():
    compute, calls = counting("one")
    assert [remember("k", ["t"], compute, timeout=60) for _ in range(3)] == ["one"] * 3
    assert len(calls) == 1


@pytest.mark.django_db
def test_invalidating_a_topic_recomputes_the_value(django_capture_on_commit_callbacks):
    remember("k", ["t"], lambda: "old", timeout=60)
    remember("k", ["t"], lambda: "old", timeout=60)
    with django_capture_on_commit_callbacks(execute=True):
        invalidate("t")
    assert remember("k", ["t"], lambda: "new", timeout=60) == "new"


def test_a_value_computed_while_its_topic_changed_is_never_served():
    remember("k", ["t"], lambda: "first", timeout=60)
    _new_versions(["t"])  # "first" is out of date

    def compute_while_a_change_commits():
        _new_versions(["t"])  # a commit lands between the versions' read and the query
        return "stale"

    assert remember("k", ["t"], compute_while_a_change_commits, timeout=60) == "stale"
    assert remember("k", ["t"], lambda: "fresh", timeout=60) == "fresh"


def test_none_is_not_stored():
    remember("k", ["t"], lambda: None, timeout=60)
    compute, calls = counting(None)
    remember("k", ["t"], compute, timeout=60)
    remember("k", ["t"], compute, timeout=60)
    assert len(calls) == 2
