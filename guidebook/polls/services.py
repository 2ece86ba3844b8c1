"""Casting votes: the one place that writes Vote rows and the choices' counts."""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone

from guidebook.accounts.models import User
from guidebook.events.services import publish

from . import ballot
from .models import Choice, Question, Vote

EVENT_TYPE = "polls.vote.cast"


class VoteRefused(Exception):
    """A vote that was not counted; the message is written for the voter."""


class AlreadyVoted(VoteRefused):
    def __init__(self):
        super().__init__("You already voted in this poll.")


class PollClosed(VoteRefused):
    def __init__(self, question: Question):
        when = formats.date_format(timezone.localtime(question.closes_at), "DATETIME_FORMAT")
        super().__init__(f"This poll closed on {when}; it no longer accepts votes.")


class PollNotPublished(VoteRefused):
    def __init__(self):
        super().__init__("This poll is not open for voting yet.")


class InvalidChoice(VoteRefused):
    def __init__(self):
        super().__init__("Please select a choice.")


def vote_cast(*, user: User, question_id: int, choice_id: int, now: datetime | None = None) -> None:
    """Count `user`'s vote for the choice `choice_id` of the poll `question_id`, or raise
    VoteRefused (Question.DoesNotExist if there is no such poll).

    On PostgreSQL the vote, its count and its event are one statement (ballot.CAST): the busiest
    write of the site costs one round trip and no ORM query building. Whatever refuses it there
    (a vote already cast, a closed poll, a choice of another poll) is told apart afterwards by
    the portable path, which also counts the vote if the poll changed in between.
    """
    now = now or timezone.now()
    if connection.vendor == "postgresql" and ballot.cast(
        user_id=user.pk,
        question_id=question_id,
        choice_id=choice_id,
        now=now,
        event_type=EVENT_TYPE,
    ):
        return
    question = Question.objects.get(pk=question_id)
    vote_cast_portably(user=user, question=question, choice_id=choice_id, now=now)


def vote_cast_portably(*, user: User, question: Question, choice_id: int, now: datetime) -> Vote:
    """vote_cast through the ORM, on any database.

    Concurrent calls can neither lose nor double a vote: the count is incremented in the database
    (F() + 1 under the row lock, never read-modify-write in Python), and a second vote by the same
    user fails on the unique constraint, waiting for the first one's transaction if it is still
    open. The Vote row is inserted before the count is touched so that the choice's row, which
    every voter must lock, stays locked for as short a time as possible.
    """
    if question.pub_date > now:
        raise PollNotPublished()
    if question.is_closed(now):
        raise PollClosed(question)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(user=user, question=question, choice_id=choice_id)
            counted = Choice.objects.filter(pk=choice_id, question=question).update(
                votes=F("votes") + 1
            )
            if counted != 1:
                raise InvalidChoice()  # leaving the block rolls the Vote row back
            publish(EVENT_TYPE, event_data(question.pk, question.text))
    except IntegrityError:
        # Only the unique constraint can fail here (foreign keys are checked at commit), but an
        # error we did not expect must not be reported as a double vote.
        if Vote.objects.filter(user=user, question=question).exists():
            raise AlreadyVoted() from None
        raise
    return vote


def event_data(question_id: int, text: str) -> dict:
    """The vote's public event: which poll, never who voted or for what."""
    return {
        "question_id": question_id,
        "question": text,
        "url": reverse("polls:results", args=[question_id]),
    }
