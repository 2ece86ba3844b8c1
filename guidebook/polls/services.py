"""Casting votes: the one place that writes Vote rows and the choices' counts."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone

from guidebook.accounts.models import User
from guidebook.events.services import publish

from .models import Choice, Question, Vote


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


def vote_cast(
    *, user: User, question: Question, choice_id: int, now: datetime | None = None
) -> Vote:
    """Record `user`'s vote for the choice `choice_id` of `question`, or raise VoteRefused.

    Concurrent calls can neither lose nor double a vote: the count is incremented in the database
    (F() + 1 under the row lock, never read-modify-write in Python), and a second vote by the same
    user fails on the unique constraint, waiting for the first one's transaction if it is still
    open. The Vote row is inserted before the count is touched so that the choice's row, which
    every voter must lock, stays locked for as short a time as possible.
    """
    now = now or timezone.now()
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
            # Public activity: which poll, never who voted or for what.
            publish(
                "polls.vote.cast",
                {
                    "question_id": question.pk,
                    "question": question.text,
                    "url": reverse("polls:results", args=[question.pk]),
                },
            )
    except IntegrityError:
        # Only the unique constraint can fail here (foreign keys are checked at commit), but an
        # error we did not expect must not be reported as a double vote.
        if Vote.objects.filter(user=user, question=question).exists():
            raise AlreadyVoted() from None
        raise
    return vote
