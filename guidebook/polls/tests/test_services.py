from datetime import timedelta

import pytest
from django.utils import timezone

from guidebook.accounts.tests.factories import UserFactory
from guidebook.events.models import Outbox
from guidebook.polls.models import Question, Vote
from guidebook.polls.services import (
    AlreadyVoted,
    InvalidChoice,
    PollClosed,
    PollNotPublished,
    vote_cast,
    vote_cast_portably,
)

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def cast_portably(*, user, question_id, choice_id, now=None):
    question = Question.objects.get(pk=question_id)
    vote_cast_portably(user=user, question=question, choice_id=choice_id, now=now or timezone.now())


# vote_cast counts a vote in one statement on PostgreSQL (polls/ballot.py) and explains a refusal
# through the portable path, which other databases take for everything: every test runs both.
@pytest.fixture(params=[vote_cast, cast_portably], ids=["vote_cast", "portable"])
def cast(request):
    return request.param


@pytest.fixture
def question():
    return QuestionFactory(choices=["Yes", "No"])


def test_a_vote_writes_one_vote_row_and_counts_it_on_the_choice(cast, question):
    user = UserFactory()
    yes, no = question.choices.all()
    cast(user=user, question_id=question.pk, choice_id=yes.pk)
    vote = Vote.objects.get()
    assert (vote.user, vote.question, vote.choice) == (user, question, yes)
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.votes, no.votes) == (1, 0)


def test_a_second_vote_by_the_same_user_changes_nothing(cast, question):
    user = UserFactory()
    yes, no = question.choices.all()
    cast(user=user, question_id=question.pk, choice_id=yes.pk)
    with pytest.raises(AlreadyVoted, match=r"You already voted in this poll\."):
        cast(user=user, question_id=question.pk, choice_id=no.pk)
    assert list(question.choices.values_list("votes", flat=True)) == [1, 0]
    assert Vote.objects.get().choice == yes


def test_a_closed_poll_refuses_votes(cast, question):
    question.pub_date = timezone.now() - timedelta(days=2)
    question.closes_at = timezone.now() - timedelta(seconds=1)
    question.save()
    with pytest.raises(PollClosed, match="closed"):
        cast(user=UserFactory(), question_id=question.pk, choice_id=question.choices.first().pk)
    assert not Vote.objects.exists()
    assert set(question.choices.values_list("votes", flat=True)) == {0}


def test_a_future_poll_refuses_votes(cast):
    question = QuestionFactory(choices=["a"], pub_date=timezone.now() + timedelta(hours=1))
    with pytest.raises(PollNotPublished):
        cast(user=UserFactory(), question_id=question.pk, choice_id=question.choices.get().pk)
    assert not Vote.objects.exists()


def test_a_choice_of_another_question_is_refused_and_nothing_is_written(cast, question):
    other = ChoiceFactory()
    with pytest.raises(InvalidChoice, match=r"Please select a choice\."):
        cast(user=UserFactory(), question_id=question.pk, choice_id=other.pk)
    other.refresh_from_db()
    assert other.votes == 0
    assert not Vote.objects.exists()


def test_a_choice_that_does_not_exist_is_refused(cast, question):
    with pytest.raises(InvalidChoice):
        cast(user=UserFactory(), question_id=question.pk, choice_id=987654321)
    assert not Vote.objects.exists()


def test_a_poll_that_does_not_exist_is_an_error_not_a_vote():
    with pytest.raises(Question.DoesNotExist):
        vote_cast(user=UserFactory(), question_id=987654321, choice_id=ChoiceFactory().pk)
    assert not Vote.objects.exists()


def test_each_user_has_one_vote_per_question_but_may_vote_in_every_poll(cast, question):
    user = UserFactory()
    second = QuestionFactory(choices=["x"])
    cast(user=user, question_id=question.pk, choice_id=question.choices.first().pk)
    cast(user=user, question_id=second.pk, choice_id=second.choices.get().pk)
    assert Vote.objects.filter(user=user).count() == 2


def test_a_deleted_users_vote_still_counts(cast, question):
    user = UserFactory()
    choice = question.choices.first()
    cast(user=user, question_id=question.pk, choice_id=choice.pk)
    user.delete()
    assert Vote.objects.get().user is None
    choice.refresh_from_db()
    assert choice.votes == Vote.objects.filter(choice=choice).count() == 1


def test_a_counted_vote_is_published_without_the_voter_or_choice(cast, question):
    user = UserFactory(username="secret-voter")
    yes, no = question.choices.all()
    cast(user=user, question_id=question.pk, choice_id=yes.pk)
    with pytest.raises(AlreadyVoted):
        cast(user=user, question_id=question.pk, choice_id=no.pk)
    event = Outbox.objects.get()
    assert event.type == "polls.vote.cast"
    assert event.data["question_id"] == question.pk
    assert "secret-voter" not in str(event.data) and str(yes.pk) not in event.data.values()


def test_both_paths_write_the_same_vote_and_event(question):
    yes = question.choices.first()
    now = timezone.now()
    for cast in (vote_cast, cast_portably):
        cast(user=UserFactory(), question_id=question.pk, choice_id=yes.pk, now=now)
    fast, portable = Vote.objects.order_by("pk")
    assert (fast.question, fast.choice) == (portable.question, portable.choice) == (question, yes)
    first, second = Outbox.objects.order_by("created")
    assert (first.type, first.version, first.data) == (second.type, second.version, second.data)
    assert first.data == {
        "question_id": question.pk,
        "question": question.text,
        "url": f"/polls/{question.pk}/results/",
    }
    assert first.published_at is None and first.attempts == 0
    yes.refresh_from_db()
    assert yes.votes == 2
