"""Solr, the scale-out engine (SEARCH_URL=solr://…): haystack's own backend, with facet fields
typed as exact strings in the generated schema (haystack types them as analysed English text,
which facets on stemmed words). docs/search.md has the run-book."""

from haystack.backends.solr_backend import SolrEngine as StockSolrEngine
from haystack.backends.solr_backend import SolrSearchBackend
from haystack.fields import FacetField


class Solr9SearchBackend(SolrSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema_fields = super().build_schema(fields)
        facets = {
            field.index_fieldname
            for field in fields.values()
            if isinstance(field, FacetField)
            and field.field_type not in ("date", "datetime", "integer", "float")
        }
        for field_data in schema_fields:
            if field_data["field_name"] in facets:
                field_data["type"] = "string"
        return content_field_name, schema_fields


class SolrEngine(StockSolrEngine):
    backend = Solr9SearchBackend
