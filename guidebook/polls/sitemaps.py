from django.contrib.sitemaps import Sitemap

from .models import Question


class PollSitemap(Sitemap):
    """Published polls; a poll's page is as it was published (its counts are on the results)."""

    changefreq = "daily"
    priority = 0.4
    limit = 5000

    def items(self):
        return Question.objects.published().order_by("-pk")

    def lastmod(self, question):
        return question.pub_date
