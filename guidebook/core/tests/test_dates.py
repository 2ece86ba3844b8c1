import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from guidebook.core.templatetags.dates import machine_time
from guidebook.events.activity import record_activity
from guidebook.events.tests.conftest import envelope
from guidebook.guides.tests.factories import GuideFactory
from guidebook.polls.tests.factories import QuestionFactory

# HTML's valid global date and time string, to the second (at most three fraction digits are
# allowed; Django's date:"c" wrote six).
VALID = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def test_machine_time_is_iso_8601_to_the_second_with_an_offset():
    when = datetime(2026, 12, 1, 4, 19, 56, 758750, tzinfo=UTC)
    assert machine_time(when) == "2026-12-01T04:19:56+00:00"
    assert machine_time(None) == machine_time("yesterday") == ""


@pytest.mark.django_db
def test_every_time_element_on_the_public_pages_has_a_valid_datetime(client):
    guide = GuideFactory()
    poll = QuestionFactory(choices=["Yes"])
    record_activity(envelope("polls.vote.cast", {"question_id": poll.pk, "question": "Q"}))
    pages = [reverse("home"), reverse("guides:list"), guide.get_absolute_url()]
    pages += [reverse("polls:index"), poll.get_absolute_url()]
    found = []
    for url in pages:
        found += re.findall(r'<time datetime="([^"]*)"', client.get(url).content.decode())
    assert len(found) >= len(pages)
    assert [value for value in found if not VALID.fullmatch(value)] == []
