"""Demo polls with a few votes from the demo readers (accounts' demo runs first)."""

from contextlib import suppress
from datetime import timedelta

from django.utils import timezone

from guidebook.accounts.models import User
from guidebook.guides.models import Guide

from .models import Question
from .services import VoteRefused, vote_cast

# question, choices, {reader: choice index}, days since publication, closed days ago (or None)
DEMO_POLLS = [
    (
        "Where should the next guide take us?",
        ["The Alps", "Kyoto", "Patagonia", "Lisbon"],
        {"ada": 1, "grace": 1, "linus": 2},
        0,
        None,
    ),
    (
        "How do you read a guide on the road?",
        ["On paper", "On my phone", "I don't, I wander"],
        {"ada": 0, "grace": 1},
        3,
        None,
    ),
    (
        "Best season for a first long hike?",
        ["Spring", "Summer", "Autumn"],
        {"ada": 2, "grace": 2, "linus": 0},
        20,
        5,
    ),
]


def seed(*, stdout) -> None:
    now = timezone.now()
    readers = {
        user.username: user
        for user in User.objects.filter(
            username__in={name for poll in DEMO_POLLS for name in poll[2]}
        )
    }
    for text, choices, ballots, age_days, closed_days_ago in DEMO_POLLS:
        question, created = Question.objects.get_or_create(
            text=text, defaults={"pub_date": now - timedelta(days=age_days)}
        )
        if created:
            question.choices.bulk_create(
                [question.choices.model(question=question, text=choice) for choice in choices]
            )
        options = list(question.choices.all())
        for username, index in ballots.items():
            # Refused when the reader voted on an earlier run: demo content is not duplicated.
            # Cast as at publication time, so that a poll that has closed can be seeded too.
            with suppress(VoteRefused):
                vote_cast(
                    user=readers[username],
                    question_id=question.pk,
                    choice_id=options[index].pk,
                    now=question.pub_date,
                )
        if created and closed_days_ago is not None:
            question.closes_at = now - timedelta(days=closed_days_ago)
            question.save(update_fields=["closes_at"])
    # The first poll goes on the newest demo guide's page (guides' demo runs before this one).
    newest_guide = Guide.objects.published().order_by("-pub_date").first()
    if newest_guide:
        Question.objects.filter(text=DEMO_POLLS[0][0], guide__isnull=True).update(
            guide=newest_guide
        )
    stdout.write(f"  polls: {len(DEMO_POLLS)} polls with votes from the demo readers")
