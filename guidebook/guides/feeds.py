from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.text import Truncator

from guidebook.core.text import html_to_text

from .models import Guide

FEED_SIZE = 20


class LatestGuidesFeed(Feed):
    feed_type = Rss201rev2Feed
    title = "Guidebook: latest guides"
    link = reverse_lazy("guides:list")
    description = "Illustrated guides, written by people who have been there."

    def items(self):
        return (
            Guide.objects.published()
            .select_related("author", "category")
            .prefetch_related("tags")[:FEED_SIZE]
        )

    def item_title(self, guide):
        return guide.title

    def item_description(self, guide):
        # Plain text: feed readers differ in how they treat HTML, and the excerpt is plain.
        return guide.excerpt or Truncator(html_to_text(guide.body)).words(60)

    def item_pubdate(self, guide):
        return guide.pub_date

    def item_updateddate(self, guide):
        return guide.updated

    def item_author_name(self, guide):
        return guide.author.get_full_name() or guide.author.get_username()

    def item_categories(self, guide):
        names = [tag.name for tag in guide.tags.all()]
        return [guide.category.name, *names] if guide.category else names


class LatestGuidesAtomFeed(LatestGuidesFeed):
    feed_type = Atom1Feed
    subtitle = LatestGuidesFeed.description
