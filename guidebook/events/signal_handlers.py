from guidebook.core.caching import invalidate_on_change

from .models import Activity


def connect() -> None:
    # The recent-activity fragment of the cached home page (core/caching.py).
    invalidate_on_change(Activity, ["activity"])
