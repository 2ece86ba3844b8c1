import io

import pytest
from django.db.models import Sum

from guidebook.accounts import demo as accounts_demo
from guidebook.polls import demo
from guidebook.polls.models import Choice, Question, Vote

pytestmark = pytest.mark.django_db


def test_demo_polls_have_votes_and_a_second_run_changes_nothing():
    accounts_demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    first = (Question.objects.count(), Choice.objects.count(), Vote.objects.count())
    assert first == (3, 10, 8)
    assert Choice.objects.aggregate(total=Sum("votes"))["total"] == 8
    assert Question.objects.open().count() == 2

    demo.seed(stdout=io.StringIO())
    assert (Question.objects.count(), Choice.objects.count(), Vote.objects.count()) == first
    assert Choice.objects.aggregate(total=Sum("votes"))["total"] == 8
