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

    def prepare_title(self, obj) -> str:
        return str(obj)

    def prepare_date(self, obj):
        return obj.created

    def prepare_author(self, obj) -> str:
        return obj.owner.get_username()
