from guidebook.core.caching import invalidate_on_change

from .models import Activity


def connect() -> None:
    invalidate_on_change(Activity)  # the cached home page shows recent activity
