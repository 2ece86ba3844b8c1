"""FlatPage belongs to django.contrib.flatpages; haystack registers any Indexable it finds in an
installed app's search_indexes module, so the pages app indexes it here."""

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from haystack import indexes

from guidebook.core.text import html_to_text
from guidebook.search.indexes import DocumentIndex


class PageIndex(DocumentIndex, indexes.Indexable):
    kind_name = "page"

    def get_model(self):
        return FlatPage

    def index_queryset(self, using=None):
        # Pages for members only stay out of the public index.
        return self.get_model().objects.filter(registration_required=False, sites=settings.SITE_ID)

    def prepare_title(self, obj) -> str:
        return obj.title

    def prepare_passage(self, obj) -> str:
        return html_to_text(obj.content)
