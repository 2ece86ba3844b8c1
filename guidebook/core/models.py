from django.db import models


class CacheGeneration(models.Model):
    """One row whose number goes up with every change that can alter a cached public page.

    Cached pages are keyed by it (caching.py). It lives in the database, not in
    the cache, so that every web process sees a change at once even with per-process caches."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Public pages, generation {self.number}"
