"""Votes cast at the same moment, from threads with their own database connections.

PostgreSQL only: SQLite serialises writers, so it could not show a lost or doubled vote.
"""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from guidebook.accounts.tests.factories import UserFactory
from guidebook.polls.models import Choice, Vote
from guidebook.polls.services import AlreadyVoted, vote_cast

from .factories import QuestionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BARRIER_TIMEOUT = 30  # seconds; a thread that never arrives breaks the barrier instead of hanging


def run_at_once(calls):
    """Run each call in its own thread, all released together; return results or exceptions."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()  # connect first: the race is between votes
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # reported to the test below
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * BARRIER_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a voting thread hung"
    return outcomes


@pytest.fixture
def question():
    return QuestionFactory(choices=["Red", "Green", "Blue"])


def assert_counts_match_vote_rows(question, expected_total):
    counts = dict(question.choices.values_list("pk", "votes"))
    rows = Counter(Vote.objects.filter(question=question).values_list("choice_id", flat=True))
    assert counts == {pk: rows.get(pk, 0) for pk in counts}
    assert sum(counts.values()) == expected_total


def test_64_users_voting_at_once_are_all_counted_exactly_once(question):
    users = [UserFactory() for _ in range(64)]
    choices = list(question.choices.all())
    calls = [
        (
            lambda user=user, n=n: vote_cast(
                user=user, question_id=question.pk, choice_id=choices[n % len(choices)].pk
            )
        )
        for n, user in enumerate(users)
    ]
    outcomes = run_at_once(calls)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Vote.objects.count() == 64
    assert_counts_match_vote_rows(question, 64)
    assert list(question.choices.values_list("votes", flat=True)) == [22, 21, 21]


def test_20_simultaneous_votes_from_one_user_leave_exactly_one_vote(question):
    user = UserFactory()
    choices = list(question.choices.all())
    calls = [
        (
            lambda n=n: vote_cast(
                user=user, question_id=question.pk, choice_id=choices[n % len(choices)].pk
            )
        )
        for n in range(20)
    ]
    outcomes = run_at_once(calls)
    accepted = [o for o in outcomes if o is None]  # vote_cast returns nothing when it counts
    refused = [o for o in outcomes if isinstance(o, AlreadyVoted)]
    assert (len(accepted), len(refused)) == (1, 19), outcomes
    assert Vote.objects.filter(user=user).count() == 1
    assert_counts_match_vote_rows(question, 1)


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_64_users_posting_the_form_at_once_are_all_counted(question):
    clients = [logged_in_client(UserFactory()) for _ in range(64)]
    choice = question.choices.first()
    url = reverse("polls:vote", args=[question.pk])
    results = reverse("polls:results", args=[question.pk])
    outcomes = run_at_once(
        [(lambda client=client: client.post(url, {"choice": choice.pk})) for client in clients]
    )
    assert [getattr(o, "status_code", o) for o in outcomes] == [302] * 64
    assert {o.url for o in outcomes} == {results}
    assert Choice.objects.get(pk=choice.pk).votes == 64
    assert Vote.objects.count() == 64


def test_one_user_posting_20_times_at_once_is_counted_once(question):
    user = UserFactory()
    clients = [logged_in_client(user) for _ in range(20)]
    url = reverse("polls:vote", args=[question.pk])
    choice = question.choices.last()
    outcomes = run_at_once(
        [(lambda client=client: client.post(url, {"choice": choice.pk})) for client in clients]
    )
    assert [getattr(o, "status_code", o) for o in outcomes] == [302] * 20
    assert Vote.objects.count() == 1
    assert question.choices.aggregate(total=Sum("votes"))["total"] == 1
