from datetime import timedelta

import pytest
from django.utils import timezone

from guidebook.accounts.tests.factories import UserFactory
from guidebook.polls.models import Vote
from guidebook.polls.services import (
    AlreadyVoted,
    InvalidChoice,
    PollClosed,
    PollNotPublished,
    vote_cast,
)

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return QuestionFactory(choices=["Yes", "No"])


def test_a_vote_writes_one_vote_row_and_counts_it_on_the_choice(question):
    user = UserFactory()
    yes, no = question.choices.all()
    vote = vote_cast(user=user, question=question, choice_id=yes.pk)
    assert (vote.user, vote.question, vote.choice) == (user, question, yes)
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.votes, no.votes) == (1, 0)


def test_a_second_vote_by_the_same_user_changes_nothing(question):
    user = UserFactory()
    yes, no = question.choices.all()
    vote_cast(user=user, question=question, choice_id=yes.pk)
    with pytest.raises(AlreadyVoted, match=r"You already voted in this poll\."):
        vote_cast(user=user, question=question, choice_id=no.pk)
    assert list(question.choices.values_list("votes", flat=True)) == [1, 0]
    assert Vote.objects.get().choice == yes


def test_a_closed_poll_refuses_votes(question):
    question.pub_date = timezone.now() - timedelta(days=2)
    question.closes_at = timezone.now() - timedelta(seconds=1)
    question.save()
    with pytest.raises(PollClosed, match="closed"):
        vote_cast(user=UserFactory(), question=question, choice_id=question.choices.first().pk)
    assert not Vote.objects.exists()
    assert set(question.choices.values_list("votes", flat=True)) == {0}


def test_a_future_poll_refuses_votes():
    question = QuestionFactory(choices=["a"], pub_date=timezone.now() + timedelta(hours=1))
    with pytest.raises(PollNotPublished):
        vote_cast(user=UserFactory(), question=question, choice_id=question.choices.get().pk)
    assert not Vote.objects.exists()


def test_a_choice_of_another_question_is_refused_and_nothing_is_written(question):
    other = ChoiceFactory()
    with pytest.raises(InvalidChoice, match=r"Please select a choice\."):
        vote_cast(user=UserFactory(), question=question, choice_id=other.pk)
    other.refresh_from_db()
    assert other.votes == 0
    assert not Vote.objects.exists()


def test_a_choice_that_does_not_exist_is_refused(question):
    with pytest.raises(InvalidChoice):
        vote_cast(user=UserFactory(), question=question, choice_id=987654321)
    assert not Vote.objects.exists()


def test_each_user_has_one_vote_per_question_but_may_vote_in_every_poll(question):
    user = UserFactory()
    second = QuestionFactory(choices=["x"])
    vote_cast(user=user, question=question, choice_id=question.choices.first().pk)
    vote_cast(user=user, question=second, choice_id=second.choices.get().pk)
    assert Vote.objects.filter(user=user).count() == 2


def test_a_deleted_users_vote_still_counts(question):
    user = UserFactory()
    choice = question.choices.first()
    vote_cast(user=user, question=question, choice_id=choice.pk)
    user.delete()
    assert Vote.objects.get().user is None
    choice.refresh_from_db()
    assert choice.votes == Vote.objects.filter(choice=choice).count() == 1


def test_a_counted_vote_is_published_without_the_voter_or_choice(question):
    from guidebook.events.models import Outbox

    user = UserFactory(username="secret-voter")
    yes, no = question.choices.all()
    vote_cast(user=user, question=question, choice_id=yes.pk)
    with pytest.raises(AlreadyVoted):
        vote_cast(user=user, question=question, choice_id=no.pk)
    event = Outbox.objects.get()
    assert event.type == "polls.vote.cast"
    assert event.data["question_id"] == question.pk
    assert "secret-voter" not in str(event.data) and str(yes.pk) not in event.data.values()
