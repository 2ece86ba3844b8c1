"""`{% load text %}` then `{{ guide.body|plaintext }}`: rich text as plain text (core/text.py)."""

from django import template

from guidebook.core.text import html_to_text

register = template.Library()


@register.filter
def plaintext(value) -> str:
    """Rich text as plain words, with a space wherever a block element or `<br>` was; the
    result is an ordinary string, escaped by the template like any other."""
    return html_to_text(str(value)) if value else ""
