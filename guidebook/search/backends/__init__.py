"""Search engines for haystack, chosen by SEARCH_URL (config/settings/base.py):

* DatabaseEngine (`database://`, the default): the index in the project's own database, SQLite
  FTS5 or PostgreSQL full-text search (base.py, with sqlite.py and postgres.py);
* SolrEngine (`solr://…`): haystack's Solr backend, for when one database is not enough.
"""

from .base import DatabaseEngine, DatabaseSearchBackend, DatabaseSearchQuery
from .solr import SolrEngine

__all__ = ["DatabaseEngine", "DatabaseSearchBackend", "DatabaseSearchQuery", "SolrEngine"]
