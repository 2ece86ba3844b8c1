"""{% fragment "name" %}: a part of a page with a cache entry of its own (core/caching.py)."""

from django import template

from guidebook.core.caching import fragment_html

register = template.Library()


@register.simple_tag(takes_context=True)
def fragment(context, name):
    return fragment_html(context["request"], name)
