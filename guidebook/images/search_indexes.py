from haystack import indexes

from guidebook.search.indexes import DocumentIndex

from .models import Image


class ImageIndex(DocumentIndex, indexes.Indexable):
    kind_name = "image"

    def get_model(self):
        return Image

    def index_queryset(self, using=None):
        # Private images never reach the index; making one private removes it (see
        # guidebook.search.services.index_object).
        return self.get_model().objects.public().select_related("owner")

    def get_updated_field(self):
        return "created"

    # The description alone: the uploader's file name (str() falls back to it) is never shown
    # in the results; the page titles an image without one "Untitled image".
    def prepare_title(self, obj) -> str:
        return obj.description

    def prepare_passage(self, obj) -> str:
        return obj.description

    def prepare_date(self, obj):
        return obj.created

    def prepare_author(self, obj) -> str:
        return obj.owner.get_username()
