import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test's database starts at cache generation 0 again: no page may outlive its test."""
    cache.clear()
    yield
    cache.clear()
