from guidebook.core.caching import invalidate_on_change

from .models import Choice, Question, Vote


def connect() -> None:
    # The cached poll pages (core/caching.py): "polls" is what the index, a poll's page, the
    # home page and guide pages show of polls; "poll:<id>:votes" is its results page, the only
    # one that shows the counts, so that a vote empties nothing else.
    invalidate_on_change(Question, lambda question: ["polls", f"poll:{question.pk}:votes"])
    invalidate_on_change(Choice, lambda choice: ["polls", f"poll:{choice.question_id}:votes"])
    invalidate_on_change(Vote, lambda vote: [f"poll:{vote.question_id}:votes"])
