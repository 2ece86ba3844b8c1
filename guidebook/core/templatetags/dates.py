"""`{% load dates %}` then `<time datetime="{{ when|machine_time }}">`."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value) -> str:
    """A date and time as HTML's datetime attribute takes it: ISO 8601 to the second, with its
    offset. Django's `date:"c"` writes microseconds, and HTML allows at most three digits."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")
