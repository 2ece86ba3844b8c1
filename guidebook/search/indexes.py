"""The fields every searchable kind shares. Each app's search_indexes.py subclasses
DocumentIndex (with haystack's Indexable) and fills them from its own model.

DocumentIndex is not Indexable itself, so haystack's index discovery skips it when an app's
search_indexes module imports it.
"""

from collections.abc import Callable
from typing import ClassVar

from django.db import models
from haystack import indexes

# A query word found in the title counts this much more than one found only in the body.
TITLE_BOOST = 4.0


class DocumentIndex(indexes.SearchIndex):
    kind_name: ClassVar[str]

    text = indexes.CharField(document=True, use_template=True)
    title = indexes.CharField(boost=TITLE_BOOST)
    date = indexes.DateTimeField(null=True)
    author = indexes.CharField(null=True)
    kind = indexes.CharField(faceted=True)
    category = indexes.CharField(faceted=True, null=True)
    tags = indexes.MultiValueField(faceted=True, null=True)
    url = indexes.CharField(indexed=False)
    # What the results page quotes: the object's own words (a guide's body as plain text, a
    # poll's question and choices), never the words `text` holds only to make it findable
    # (tags, category, captions, a file name). Stored, not searched. `summary` (a guide's lede)
    # is quoted instead when the query's words are not in the passage.
    passage = indexes.CharField(indexed=False, null=True)
    summary = indexes.CharField(indexed=False, null=True)

    def prepare_kind(self, obj) -> str:
        return self.kind_name

    def prepare_url(self, obj) -> str:
        return obj.get_absolute_url()

    def prepare_category(self, obj) -> str | None:
        return None

    def prepare_tags(self, obj) -> list[str]:
        return []

    def prepare_passage(self, obj) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say which words the page quotes.")

    def prepare_summary(self, obj) -> str | None:
        return None

    def dependent_models(self) -> dict[type[models.Model], Callable[[models.Model], int]]:
        """Other models whose changes change this index's documents, each with a function from
        one of their rows to the primary key of the indexed object to update (a poll's
        document holds its choices, so a saved choice re-indexes its question)."""
        return {}
