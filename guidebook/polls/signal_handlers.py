from guidebook.core.caching import invalidate_on_change

from .models import Choice, Question


def connect() -> None:
    # The cached home page and guide pages show polls (core/caching.py). Vote counts are only
    # on the results page, which is not cached, so votes need no invalidation.
    invalidate_on_change(Question, Choice)
