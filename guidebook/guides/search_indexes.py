from haystack import indexes

from guidebook.core.text import html_to_text
from guidebook.search.indexes import DocumentIndex

from .models import Guide, GuideImage


class GuideIndex(DocumentIndex, indexes.Indexable):
    kind_name = "guide"

    def get_model(self):
        return Guide

    def index_queryset(self, using=None):
        # Drafts never reach the index; unpublishing removes a guide (see
        # guidebook.search.services.index_object). A guide scheduled for later is indexed by the
        # hourly search.index_newly_due job once it is due.
        return (
            self.get_model()
            .objects.published()
            .select_related("author", "category")
            .prefetch_related("tags")
        )

    def get_updated_field(self):
        return "updated"

    def prepare_title(self, obj) -> str:
        return obj.title

    def prepare_date(self, obj):
        return obj.pub_date

    def prepare_author(self, obj) -> str:
        return obj.author.get_username()

    def prepare_category(self, obj) -> str | None:
        return obj.category.name if obj.category else None

    def prepare_tags(self, obj) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    def prepare_passage(self, obj) -> str:
        return html_to_text(obj.body)

    def prepare_summary(self, obj) -> str:
        return obj.excerpt

    def dependent_models(self):
        # Captions are part of a guide's document.
        return {GuideImage: lambda guide_image: guide_image.guide_id}
