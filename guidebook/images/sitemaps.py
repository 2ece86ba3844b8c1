from django.contrib.sitemaps import Sitemap

from .models import Image


class ImageSitemap(Sitemap):
    """Public images only: a private image's page is a 404 to everyone but its owner."""

    changefreq = "monthly"
    priority = 0.3
    limit = 5000

    def items(self):
        return Image.objects.public().only("pk", "created").order_by("-pk")

    def lastmod(self, image):
        return image.created
