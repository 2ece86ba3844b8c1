"""The site's sitemap: /sitemap.xml is an index of one sitemap per kind of public page
(/sitemap-<section>.xml, split into pages of `limit` URLs when large), with each page's lastmod
where the site knows it. robots.txt names the index."""

from django.contrib.flatpages.sitemaps import FlatPageSitemap
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index, sitemap
from django.db.models import Max
from django.urls import path, reverse

from guidebook.guides.models import Guide
from guidebook.guides.sitemaps import CategorySitemap, GuideSitemap, TagSitemap, shown_since
from guidebook.images.models import Image
from guidebook.images.sitemaps import ImageSitemap
from guidebook.polls.models import Question
from guidebook.polls.sitemaps import PollSitemap


def latest_guide():
    guide = Guide.objects.published().order_by("-updated").only("pub_date", "updated").first()
    newest = Guide.objects.published().order_by("-pub_date").only("pub_date", "updated").first()
    return max((shown_since(g) for g in (guide, newest) if g), default=None)


def latest_poll():
    return Question.objects.published().aggregate(latest=Max("pub_date"))["latest"]


def latest_image():
    return Image.objects.public().aggregate(latest=Max("created"))["latest"]


def latest_anything():
    return max(filter(None, [latest_guide(), latest_poll(), latest_image()]), default=None)


class ListPagesSitemap(Sitemap):
    """The home page and the lists, each as recent as the newest thing it shows."""

    changefreq = "daily"
    priority = 1.0
    PAGES = {
        "home": latest_anything,
        "guides:list": latest_guide,
        "polls:index": latest_poll,
        "images:index": latest_image,
    }

    def items(self):
        return list(self.PAGES)

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return self.PAGES[name]()


SITEMAPS = {
    "lists": ListPagesSitemap,
    "guides": GuideSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "polls": PollSitemap,
    "images": ImageSitemap,
    "pages": FlatPageSitemap,  # the current site's pages that need no registration
}

urlpatterns = [
    path(
        "sitemap.xml",
        index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
]
