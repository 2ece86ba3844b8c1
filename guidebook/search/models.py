"""The search index, kept in the project's own database.

A Document row per indexed object, with its facet values in FacetValue rows (one per value, so
that a facet count is a GROUP BY over the matching documents). What each database adds for
full-text search is created by the migrations, not declared here, because it differs by vendor:
on SQLite an FTS5 table over `title` and `body` (kept in step by triggers) and a second one for
the spelling vocabulary; on PostgreSQL a generated, weighted `tsvector` column with a GIN index
and a table of words with a trigram index (pg_trgm). See guidebook/search/backends/.
"""

from django.db import models


class Document(models.Model):
    identifier = models.CharField(max_length=255, unique=True, help_text="app.model.pk")
    django_ct = models.CharField(max_length=100, db_index=True)
    django_id = models.CharField(max_length=100)
    # What full-text search reads: the boosted fields (the title) and the document field.
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # Every other stored field, as the index prepared it, for the search results.
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "search_document"

    def __str__(self):
        return self.identifier


class FacetValue(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="facet_values", db_index=False
    )
    field = models.CharField(max_length=100)
    value = models.TextField()

    class Meta:
        db_table = "search_facet"
        indexes = [
            # Counting: from a matching document to its values, read from the index alone.
            models.Index(fields=["document", "field", "value"], name="search_facet_document"),
            # Narrowing: from a value to its documents.
            models.Index(fields=["field", "value", "document"], name="search_facet_value"),
        ]

    def __str__(self):
        return f"{self.field}={self.value}"
