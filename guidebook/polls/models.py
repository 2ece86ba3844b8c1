from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone


class QuestionQuerySet(models.QuerySet):
    def published(self, now=None):
        """Questions readers may see: published already, and with something to vote for."""
        now = now or timezone.now()
        has_choices = Exists(Choice.objects.filter(question=OuterRef("pk")))
        return self.filter(has_choices, pub_date__lte=now)

    def open(self, now=None):
        """Published questions that still accept votes."""
        now = now or timezone.now()
        return self.published(now).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))

    def newest_first(self):
        return self.order_by("-pub_date", "-pk")

    def with_total_votes(self):
        # A subquery, not Sum("choices__votes"): the admin's search joins the choices too, and a
        # second join would multiply the sum.
        totals = (
            Choice.objects.filter(question=OuterRef("pk"))
            .order_by()
            .values("question")
            .annotate(total=Sum("votes"))
            .values("total")
        )
        return self.annotate(total_votes=Coalesce(Subquery(totals), 0))


class Question(models.Model):
    text = models.CharField("question", max_length=200)
    pub_date = models.DateTimeField(
        "date published",
        default=timezone.now,
        db_index=True,
        help_text="Readers see the poll from this moment; a future date schedules it.",
    )
    closes_at = models.DateTimeField(
        "closes at",
        null=True,
        blank=True,
        help_text="Votes are refused from this moment. Leave empty to keep the poll open.",
    )
    guide = models.ForeignKey(
        "guides.Guide",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
        help_text="Show this poll on a guide's page.",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-pub_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("pub_date")),
                name="polls_question_closes_after_publication",
                violation_error_message="A poll must close after it is published.",
            ),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("polls:detail", args=[self.pk])

    @admin.display(boolean=True, ordering="pub_date", description="Published recently?")
    def was_published_recently(self):
        now = timezone.now()
        return now - timedelta(days=1) <= self.pub_date <= now

    def is_closed(self, now=None):
        now = now or timezone.now()
        return self.closes_at is not None and self.closes_at <= now

    def tally(self):
        """Each choice with its share of the votes, in the order the choices were added."""
        choices = list(self.choices.all())
        total = sum(choice.votes for choice in choices)
        return Tally(
            total=total,
            rows=[
                TallyRow(
                    choice=choice, percent=round(100 * choice.votes / total, 1) if total else 0.0
                )
                for choice in choices
            ],
        )


@dataclass(frozen=True)
class TallyRow:
    choice: "Choice"
    percent: float


@dataclass(frozen=True)
class Tally:
    total: int
    rows: list[TallyRow]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField("choice", max_length=200)
    # Kept equal to the number of Vote rows for this choice by services.vote_cast, which is the
    # only writer: it lets the results page read one row per choice instead of counting votes.
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text


class Vote(models.Model):
    # A deleted account's vote still counts: the row stays (without its user) so that the
    # choices' counts keep matching the Vote rows.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="poll_votes"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="votes_cast")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # The guard against double votes, races included: the second INSERT fails.
            models.UniqueConstraint(
                fields=["user", "question"], name="polls_vote_one_per_user_and_question"
            ),
        ]

    def __str__(self):
        return f"{self.user} voted “{self.choice}” on “{self.question}”"
