"""The guides' part of the sitemap (guidebook/core/sitemaps.py puts the sections together)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Category, Guide, Tag


def shown_since(guide: Guide):
    """When a guide's page last changed: its last edit, or its publication if that came later
    (a scheduled guide appears without being saved again)."""
    return max(guide.updated, guide.pub_date)


class GuideSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7
    limit = 5000

    def items(self):
        return Guide.objects.published().only("slug", "pub_date", "updated").order_by("-pk")

    def lastmod(self, guide):
        return shown_since(guide)


class GuideGroupSitemap(Sitemap):
    """Categories or tags with published guides; a group's page changes with its guides."""

    model: type[Category] | type[Tag]
    changefreq = "weekly"
    priority = 0.5
    limit = 5000

    def items(self):
        published = Q(guides__status=Guide.Status.PUBLISHED, guides__pub_date__lte=timezone.now())
        return (
            self.model.objects.annotate(
                shown=Count("guides", filter=published),
                edited=Max("guides__updated", filter=published),
                published=Max("guides__pub_date", filter=published),
            )
            .filter(shown__gt=0)
            .order_by("slug")
        )

    def lastmod(self, group):
        return max(group.edited, group.published)


class CategorySitemap(GuideGroupSitemap):
    model = Category


class TagSitemap(GuideGroupSitemap):
    model = Tag
