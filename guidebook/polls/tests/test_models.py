from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidebook.polls.models import Question

from .factories import ChoiceFactory, QuestionFactory


def test_was_published_recently_is_false_for_a_future_question():
    question = Question(pub_date=timezone.now() + timedelta(days=30))
    assert question.was_published_recently() is False


def test_was_published_recently_is_false_for_a_question_older_than_a_day():
    question = Question(pub_date=timezone.now() - timedelta(days=1, seconds=1))
    assert question.was_published_recently() is False


def test_was_published_recently_is_true_within_the_last_day():
    question = Question(pub_date=timezone.now() - timedelta(hours=23, minutes=59, seconds=59))
    assert question.was_published_recently() is True


def test_a_poll_is_closed_from_its_closing_time_on():
    now = timezone.now()
    assert Question(pub_date=now, closes_at=None).is_closed() is False
    assert Question(pub_date=now, closes_at=now + timedelta(minutes=1)).is_closed(now) is False
    assert Question(pub_date=now, closes_at=now).is_closed(now) is True


@pytest.mark.django_db
def test_published_excludes_future_questions_and_questions_without_choices():
    past = QuestionFactory(choices=["a"], pub_date=timezone.now() - timedelta(days=1))
    QuestionFactory(choices=["a"], pub_date=timezone.now() + timedelta(days=1))
    QuestionFactory(choices=[])
    assert list(Question.objects.published()) == [past]


@pytest.mark.django_db
def test_open_excludes_closed_polls_but_keeps_those_closing_later():
    now = timezone.now()
    still_open = QuestionFactory(choices=["a"], closes_at=now + timedelta(hours=1))
    QuestionFactory(
        choices=["a"], pub_date=now - timedelta(days=2), closes_at=now - timedelta(days=1)
    )
    assert list(Question.objects.open()) == [still_open]


@pytest.mark.django_db
def test_total_votes_is_the_sum_of_the_choices_counts_and_zero_without_votes():
    question = QuestionFactory()
    ChoiceFactory(question=question, votes=3)
    ChoiceFactory(question=question, votes=4)
    empty = QuestionFactory()
    totals = dict(Question.objects.with_total_votes().values_list("pk", "total_votes"))
    assert totals == {question.pk: 7, empty.pk: 0}


@pytest.mark.django_db
def test_tally_gives_each_choice_its_share_of_the_votes():
    question = QuestionFactory()
    ChoiceFactory(question=question, text="yes", votes=1)
    ChoiceFactory(question=question, text="no", votes=2)
    ChoiceFactory(question=question, text="maybe", votes=0)
    tally = question.tally()
    assert tally.total == 3
    assert [(row.choice.text, row.percent) for row in tally.rows] == [
        ("yes", 33.3),
        ("no", 66.7),
        ("maybe", 0.0),
    ]


@pytest.mark.django_db
def test_tally_of_a_poll_without_votes_is_all_zero():
    question = QuestionFactory(choices=["a", "b"])
    assert [row.percent for row in question.tally().rows] == [0.0, 0.0]


@pytest.mark.django_db
def test_database_refuses_a_poll_that_closes_before_it_opens():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(pub_date=now, closes_at=now - timedelta(seconds=1))


@pytest.mark.django_db
def test_absolute_url_is_the_detail_page():
    question = QuestionFactory()
    assert question.get_absolute_url() == f"/polls/{question.pk}/"
