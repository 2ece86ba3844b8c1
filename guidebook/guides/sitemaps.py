from django.contrib.flatpages.sitemaps import FlatPageSitemap
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap

from .models import Guide


class GuideSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7
    limit = 5000

    def items(self):
        return Guide.objects.published().order_by("-pub_date", "-pk")

    def lastmod(self, guide):
        return guide.updated


# /sitemap.xml in config/urls.py; FlatPageSitemap lists the current site's pages that do not
# require registration.
SITEMAPS = {"guides": GuideSitemap, "pages": FlatPageSitemap}


def sitemap_xml(request):
    return sitemap(request, sitemaps=SITEMAPS)
