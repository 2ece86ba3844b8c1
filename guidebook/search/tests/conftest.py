import time

import pytest
from django.db import connection
from haystack import connections
from haystack.query import SearchQuerySet


@pytest.fixture
def backend():
    return connections["default"].get_backend()


def found(query: str) -> set[str]:
    return {result.id for result in SearchQuerySet().auto_query(query)}


def wait_until(condition, timeout: float = 25.0, what: str = "the index to change"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {timeout} s for {what}")


# ------------------------------------------------------------------------------ refusing writes
REFUSE = {
    "sqlite": [
        """CREATE TRIGGER search_refuse BEFORE INSERT ON search_document
           WHEN NEW.body LIKE '%explosive%' BEGIN SELECT RAISE(ABORT, 'index refused'); END"""
    ],
    "postgresql": [
        """CREATE FUNCTION search_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.body LIKE '%explosive%' THEN RAISE EXCEPTION 'index refused'; END IF;
           RETURN NEW; END $$""",
        """CREATE TRIGGER search_refuse BEFORE INSERT ON search_document
           FOR EACH ROW EXECUTE FUNCTION search_refuse()""",
    ],
}
LIFT = {
    "sqlite": ["DROP TRIGGER search_refuse"],
    "postgresql": ["DROP TRIGGER search_refuse ON search_document", "DROP FUNCTION search_refuse"],
}


@pytest.fixture
def refusing_index():
    """The database itself refuses index documents containing "explosive" (a trigger): a real
    failure of the index write, nothing mocked. Yields a function that lifts the refusal."""
    with connection.cursor() as cursor:
        for sql in REFUSE[connection.vendor]:
            cursor.execute(sql)
    lifted = []

    def lift():
        with connection.cursor() as cursor:
            for sql in LIFT[connection.vendor]:
                cursor.execute(sql)
        lifted.append(True)

    yield lift
    if not lifted:
        lift()
