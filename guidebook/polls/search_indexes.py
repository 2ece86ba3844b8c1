from haystack import indexes

from guidebook.search.indexes import DocumentIndex

from .models import Choice, Question


class QuestionIndex(DocumentIndex, indexes.Indexable):
    kind_name = "poll"

    def get_model(self):
        return Question

    def index_queryset(self, using=None):
        # Only what readers may see. A poll scheduled for later is indexed by the hourly
        # search.index_newly_due job once it is due.
        return self.get_model().objects.published().prefetch_related("choices")

    def get_updated_field(self):
        return "pub_date"

    def prepare_title(self, obj) -> str:
        return obj.text

    def prepare_date(self, obj):
        return obj.pub_date

    def prepare_author(self, obj) -> None:
        return None

    def prepare_passage(self, obj) -> str:
        return " ".join([obj.text, " · ".join(choice.text for choice in obj.choices.all())])

    def dependent_models(self):
        # The document lists the choices, and a poll without choices is not published.
        return {Choice: lambda choice: choice.question_id}
