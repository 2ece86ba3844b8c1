"""Search backends. WhooshEngine is the embedded default selected by SEARCH_URL=whoosh://...

Haystack's stock Whoosh backend is slow for a web site because of how it talks to Whoosh, not
because of Whoosh (bench/search.py measures both in one run):

* every query opens a new searcher (reading the table of contents and every segment), and a
  second one to run the "registered models" narrowing as a full scored search;
* highlighting re-analyses the whole stored text of every hit;
* the spelling corrector is rebuilt for every query, and its reader is never closed;
* facets over a multi-valued field walk every posting of that field on every query;
* every query walks Whoosh's matcher tree a document at a time in Python, twice here (the
  matching documents for the count and facets, then the scored top 20);
* every text field is also written to a sortable column, the document text included, and each
  write opens an AsyncWriter, whose background thread may commit after the task has finished.

This backend keeps haystack's API (SearchQuerySet, highlight(), facet(), spelling) and fixes
those: one searcher per backend (haystack keeps one backend per thread) reused until the index
changes on disk, which `Searcher.up_to_date()` checks by generation, so commits from other
processes are seen on the next query; narrowing filters and spelling suggestions cached per
searcher; word queries (And/Or/Not of terms) answered with set operations and scored by
Whoosh's own BM25F (matching.py); highlights from the character positions stored in the
postings (pinpoint), not by analysing the text again; list columns for multi-valued facets;
writes through one blocking writer per batch, so a task's write is on disk when it returns, and
bulk() for the indexing commands: every batch into one writer (GuidebookWriter, which skips
Whoosh's slowest write paths; see writing.py), one commit, no merge per batch.
"""

import contextlib
import functools
import html
import threading
from collections import OrderedDict

from django.utils.encoding import force_str
from haystack import connections
from haystack.backends import log_query
from haystack.backends.solr_backend import SolrEngine as StockSolrEngine
from haystack.backends.solr_backend import SolrSearchBackend
from haystack.backends.whoosh_backend import WhooshEngine as StockWhooshEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.fields import FacetField
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct
from haystack.utils.app_loading import haystack_get_model
from whoosh import columns, index, query, writing
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, KEYWORD, STORED, TEXT
from whoosh.fields import ID as WHOOSH_ID
from whoosh.highlight import Formatter, PinpointFragmenter, get_text
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
from whoosh.reading import ReaderClosed
from whoosh.searching import Results

from . import matching
from .codec import SpelledCharacters
from .writing import GuidebookWriter

# How long a write waits for another writer (thread or process) before the task retries.
WRITE_LOCK_TIMEOUT = 30.0
# Remembered per searcher: narrowing filters, facet values and spelling suggestions (small),
# and the matching documents of recent queries (up to a set of every document number each).
CACHE_SIZE = 256
QUERY_CACHE_SIZE = 32
MAX_SPELLING_WORDS = 16
# Memory for a bulk() writer's postings before it spills them to temporary files.
BULK_POOL_MB = 128


class MarkFormatter(Formatter):
    """Escapes the document text, then wraps each match in <mark>: the output is safe HTML."""

    between = " … "

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(get_text(text, token, replace), quote=False)}</mark>"


class FacetListField(KEYWORD):
    """A multi-valued facet: comma-separated terms plus a list column, so that counting a
    facet reads the values of the matching documents only."""

    def __init__(self):
        super().__init__(stored=True, commas=True, lowercase=False, scorable=False)
        self.column_type = columns.VarBytesListColumn()

    def to_column_value(self, value):
        return [
            part.strip().encode("utf-8") for part in force_str(value).split(",") if part.strip()
        ]


class LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def remember(self, key, compute):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = compute()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


@functools.cache
def write_lock(path: str) -> threading.Lock:
    """Writers in one process queue here; across processes Whoosh's lock file decides."""
    return threading.Lock()


def close_quietly(searcher) -> None:
    with contextlib.suppress(ReaderClosed):
        searcher.close()


class FastWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        if not self.use_file_storage:
            raise SearchBackendError("guidebook's Whoosh backend needs a PATH on disk.")
        self._lock = threading.RLock()  # a backend shared across threads refreshes safely
        self._searcher = None
        self._filters = LRU(CACHE_SIZE)
        self._suggestions = LRU(CACHE_SIZE)
        self._docsets = LRU(QUERY_CACHE_SIZE)
        self._corrector = None
        self._bulk = None  # the bulk() block's writer
        self._bulk_replaces = False

    # ----------------------------------------------------------------- setup and schema
    def setup(self):
        with self._lock:
            if self.setup_complete:
                return
            super().setup()  # creates the folder, checks it is writable, opens the index
            boosts = {
                name: field.boost
                for name, field in self._search_fields().items()
                if field.boost != 1.0
                and field.indexed
                and field.field_type == "string"
                and not field.is_multivalued
            }
            self.parser = MultifieldParser(
                [self.content_field_name, *boosts], schema=self.schema, fieldboosts=boosts
            )
            self.parser.add_plugins([FuzzyTermPlugin])

    def _search_fields(self):
        return connections[self.connection_alias].get_unified_index().all_searchfields()

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            name = field.index_fieldname
            if field.document:
                # No sortable column for the body (nobody sorts by it); character positions
                # let highlighting skip re-analysing the stored text.
                # SpelledCharacters hands the writer the spelling words from the same pass.
                text = TEXT(
                    stored=True,
                    analyzer=field.analyzer or StemmingAnalyzer(),
                    field_boost=field.boost,
                    chars=True,
                    spelling=True,
                )
                text.format = SpelledCharacters(field_boost=field.boost)
                schema.remove(name)
                schema.add(name, text)
            elif isinstance(field, FacetField):
                schema.remove(name)
                if field.is_multivalued:
                    schema.add(name, FacetListField())
                elif field.field_type in ("date", "datetime"):
                    schema.add(name, DATETIME(stored=True, sortable=True))
                else:
                    schema.add(name, WHOOSH_ID(stored=True, sortable=True))
            elif not field.indexed and not field.is_multivalued:
                schema.remove(name)
                schema.add(name, STORED())
        return content_field_name, schema

    # ----------------------------------------------------------------- reading
    def searcher(self):
        """The current searcher: reused until another writer (any thread or process) commits,
        which `up_to_date()` sees from the generation on disk; then a new one is opened.

        Not `Searcher.refresh()`: it recycles segment readers by segment id, so a commit that
        only deletes documents from an existing segment (unpublishing, removing) would go
        unseen."""
        if not self.setup_complete:
            self.setup()
        with self._lock:
            searcher = self._searcher
            if searcher is not None:
                try:
                    fresh = searcher.up_to_date()
                except (OSError, index.EmptyIndexError, ReaderClosed):
                    fresh = False  # the folder was replaced, or the reader closed: reopen
                if fresh:
                    return searcher
                close_quietly(searcher)
            self._searcher = self.index.searcher()
            self._forget_cached_answers()
            return self._searcher

    def reset(self) -> None:
        """Forget the cached searcher and the schema (tests call this between tests)."""
        with self._lock:
            self._drop_searcher()
            self.setup_complete = False

    def forget_queries(self) -> None:
        """Drop the answers remembered for particular queries (matches, spelling), keeping the
        searcher and the facet tables. For benchmarks that time cold queries."""
        with self._lock:
            self._docsets.clear()
            self._suggestions.clear()

    def _forget_cached_answers(self):
        self._filters.clear()
        self._suggestions.clear()
        self._docsets.clear()
        self._corrector = None

    def _narrowing_filter(self, searcher, narrow_queries):
        """The document numbers allowed by every narrowing query, cached per searcher: the
        registered-models filter is the same for every query."""
        key = tuple(sorted(narrow_queries))

        def compute():
            allowed = None
            for narrow_query in key:
                parsed = self.parser.parse(force_str(narrow_query))
                docs = set(parsed.docs(searcher)) if parsed is not None else set()
                allowed = docs if allowed is None else allowed & docs
            return allowed or set()  # a set: Whoosh accepts set and DocIdSet, not frozenset

        with self._lock:
            return self._filters.remember(key, compute)

    def _evaluation(self, searcher, parsed_query, query_string) -> matching.Evaluation:
        """Every matching document number and how to score them, cached per searcher: the
        count, the facets and the next page of the same query come from it, with set
        operations written in C. Queries matching.evaluate() does not take (phrases, prefixes
        and the like) get their documents from Whoosh and no scoring: Whoosh ranks them."""

        def compute():
            return matching.evaluate(searcher, parsed_query) or matching.Evaluation.unranked(
                set(parsed_query.docs(searcher))
            )

        with self._lock:
            return self._docsets.remember(query_string, compute)

    def _facet_values(self, searcher, name):
        """{value: document numbers} for one facet field, read once per searcher from the
        field's terms; counting a facet is then one set intersection per value."""

        def compute():
            reader = searcher.reader()
            field = self.schema[name]
            values = {}
            for term in reader.lexicon(name):
                docs = set(reader.postings(name, term).all_ids())
                if docs:
                    values[self._facet_value(field.from_bytes(term))] = docs
            return values

        with self._lock:
            return self._filters.remember(("facet", name), compute)

    def _facet_counts(self, searcher, facets, matched):
        counts = {"fields": {}, "dates": {}, "queries": {}}
        for name in facets:
            counts["fields"][name] = sorted(
                (
                    (value, len(docs & matched))
                    for value, docs in self._facet_values(searcher, name).items()
                    if not docs.isdisjoint(matched)
                ),
                key=lambda item: (-item[1], item[0]),
            )
        return counts

    @log_query
    def search(self, query_string, **kwargs):
        try:
            return self._search(query_string, **kwargs)
        except (FileNotFoundError, ReaderClosed):
            # Whoosh opens some segment files on first use; a commit in another thread or
            # process may have merged them away since this searcher was opened, and CI once
            # saw a cached searcher's segment reader closed under a query while the worker
            # thread committed (cause not pinned down). Once more, with a searcher opened now.
            self._drop_searcher()
            return self._search(query_string, **kwargs)

    def _drop_searcher(self):
        with self._lock:
            if self._searcher is not None:
                close_quietly(self._searcher)
            self._searcher = None
            self._forget_cached_answers()

    def _search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        within=None,
        dwithin=None,
        distance_point=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        if date_facets or query_facets or within or dwithin:
            # Rare features: haystack's own implementation (slow path) still serves them.
            return super().search(
                query_string,
                sort_by=sort_by,
                start_offset=start_offset,
                end_offset=end_offset,
                fields=fields,
                highlight=highlight,
                facets=facets,
                date_facets=date_facets,
                query_facets=query_facets,
                narrow_queries=narrow_queries,
                spelling_query=spelling_query,
                models=models,
                limit_to_registered_models=limit_to_registered_models,
                result_class=result_class,
                **kwargs,
            )
        if not self.setup_complete:
            self.setup()
        query_string = force_str(query_string)
        # As haystack's backend: empty and one-character queries (not "*") find nothing.
        if len(query_string) == 0 or (len(query_string) <= 1 and query_string != "*"):
            return {"results": [], "hits": 0}

        sort_fields, reverse = self._sort_fields(sort_by)
        narrow_queries = set(narrow_queries or ())
        model_choices = self._model_choices(models, limit_to_registered_models)
        if model_choices:
            narrow_queries.add(" OR ".join(f"{DJANGO_CT}:{ct}" for ct in model_choices))

        searcher = self.searcher()
        spelling = None
        if self.include_spelling:
            spelling = self.create_spelling_suggestion(spelling_query or query_string)
        empty = {"results": [], "hits": 0, "spelling_suggestion": spelling}
        if not searcher.doc_count():
            return empty
        parsed_query = self.parser.parse(query_string)
        if parsed_query is None or parsed_query is query.NullQuery:
            return empty
        evaluation = self._evaluation(searcher, parsed_query, query_string)
        matched = evaluation.docs
        if narrow_queries:
            allowed = self._narrowing_filter(searcher, narrow_queries)
            matched = matched & allowed
        if not matched:
            return empty

        start_offset = start_offset or 0
        limit = len(matched) if end_offset is None else max(end_offset, start_offset + 1)
        if evaluation.scorable and not sort_fields:
            top = evaluation.top(matched, limit)
            raw = Results(searcher, parsed_query, top, docset=matched)
            if highlight:
                raw.docterms, raw.termdocs = evaluation.matched_terms(
                    [docnum for _, docnum in top[start_offset:]]
                )
        else:
            raw = searcher.search(
                parsed_query,
                limit=limit,
                filter=matched,
                sortedby=sort_fields,
                reverse=reverse,
                terms=bool(highlight),
            )
        if highlight:
            raw.fragmenter = PinpointFragmenter(maxchars=200, surround=40, autotrim=True)
            raw.formatter = MarkFormatter()
        results, dropped = self._results(raw, start_offset, limit, highlight, result_class)
        return {
            "results": results,
            "hits": len(matched) - dropped,
            "facets": self._facet_counts(searcher, facets, matched) if facets else {},
            "spelling_suggestion": spelling,
        }

    def _sort_fields(self, sort_by):
        if not sort_by:
            return None, False
        directions = {order.startswith("-") for order in sort_by}
        if len(directions) > 1:
            raise SearchBackendError(
                "Whoosh requires all order_by fields to use the same sort direction"
            )
        return [order.lstrip("-") for order in sort_by], directions == {True}

    def _model_choices(self, models, limit_to_registered_models):
        from django.conf import settings

        if models:
            return sorted(get_model_ct(model) for model in models)
        if limit_to_registered_models is None:
            limit_to_registered_models = getattr(
                settings, "HAYSTACK_LIMIT_TO_REGISTERED_MODELS", True
            )
        return self.build_models_list() if limit_to_registered_models else []

    def _results(self, raw, start_offset, end_offset, highlight, result_class):
        unified_index = connections[self.connection_alias].get_unified_index()
        indexed_models = unified_index.get_indexed_models()
        result_class = result_class or SearchResult
        results, dropped = [], 0
        for position in range(start_offset, min(end_offset, raw.scored_length())):
            hit = raw[position]
            stored = hit.fields()
            app_label, model_name = stored[DJANGO_CT].split(".")
            model = haystack_get_model(app_label, model_name)
            if model is None or model not in indexed_models:
                dropped += 1  # a document of a model that is no longer indexed
                continue
            search_index = unified_index.get_index(model)
            additional = {}
            for key, value in stored.items():
                if key in (DJANGO_CT, DJANGO_ID):
                    continue
                field = search_index.fields.get(key)
                if field is not None and field.is_multivalued:
                    additional[key] = value.split(",") if value else []
                elif field is not None and hasattr(field, "convert"):
                    additional[key] = field.convert(value)
                else:
                    additional[key] = self._to_python(value)
            if highlight:
                snippet = hit.highlights(self.content_field_name, top=2)
                additional["highlighted"] = {self.content_field_name: [snippet]}
            results.append(
                result_class(app_label, model_name, stored[DJANGO_ID], hit.score or 0, **additional)
            )
        return results, dropped

    @staticmethod
    def _facet_value(key):
        return key.decode("utf-8") if isinstance(key, bytes) else key

    def create_spelling_suggestion(self, query_string):
        """haystack's suggestion (a word list built from the query), made cheap: a word the
        index knows is kept as it is, without asking the corrector, and only words that share
        their first letter are candidates (as Lucene's spell checker does), which spares a
        distance computation against every word in the index. Answers are cached per
        searcher."""
        if not query_string:
            return None
        cleaned = force_str(query_string)
        for word in self.RESERVED_WORDS:
            cleaned = cleaned.replace(word, "")
        for char in self.RESERVED_CHARACTERS:
            cleaned = cleaned.replace(char, "")
        searcher = self.searcher()
        field = self.schema[self.content_field_name]
        spelling_field = field.spelling_fieldname(self.content_field_name)
        reader = searcher.reader()
        with self._lock:
            if self._corrector is None:
                self._corrector = reader.corrector(self.content_field_name)
            corrector = self._corrector

        def suggest(word):
            if (spelling_field, word) in reader:
                return [word]
            return corrector.suggest(word, limit=1, prefix=1)

        words = []
        for word in cleaned.lower().split()[:MAX_SPELLING_WORDS]:
            with self._lock:
                words.extend(self._suggestions.remember(word, lambda word=word: suggest(word)))
        return " ".join(words)

    # ----------------------------------------------------------------- writing
    def _writer(self, **options):
        return GuidebookWriter(self.index, timeout=WRITE_LOCK_TIMEOUT, **options)

    @contextlib.contextmanager
    def bulk(self, *, replace: bool = False):
        """Send every update() and remove() in the block to one writer, committed once at the
        end: one new segment, instead of a segment and a merge per batch. What the
        update_search_index and rebuild_search_index commands use.

        replace=True: the commit also drops every document already in the index (as
        rebuild_index's clear would, but at the end), so searches keep answering from the old
        index until the new one is complete. An error inside the block writes nothing."""
        if not self.setup_complete:
            self.setup()
        if self._bulk is not None:
            raise SearchBackendError("bulk() blocks do not nest.")
        with write_lock(self.path):
            writer = self._writer(limitmb=BULK_POOL_MB)
            self._bulk, self._bulk_replaces = writer, replace
            try:
                yield self
            except BaseException:
                writer.cancel()
                raise
            else:
                writer.commit(mergetype=writing.CLEAR if replace else None)
            finally:
                self._bulk, self._bulk_replaces = None, False

    @contextlib.contextmanager
    def _writing(self):
        """The writer for one update() or remove(): the bulk() block's, or else one of its own,
        committed at the end (cancelled if the block raises)."""
        if self._bulk is not None:
            yield self._bulk
            return
        with write_lock(self.path):
            writer = self._writer()
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def update(self, index, iterable, commit=True):
        """Write a batch with one writer and one commit (or into the bulk() writer); errors
        propagate so that the queued task retries (haystack's backend logs and drops them)."""
        if not self.setup_complete:
            self.setup()
        documents = []
        for obj in iterable:
            try:
                document = index.full_prepare(obj)
            except SkipDocument:
                self.log.debug("Indexing for object `%s` skipped", obj)
                continue
            document.pop("boost", None)  # Whoosh 2.5+ has no document boosts
            documents.append({key: self._from_python(value) for key, value in document.items()})
        if not documents:
            return
        with self._writing() as writer:
            # Replacing the whole index: nothing old to look up and delete first.
            write = writer.add_document if self._bulk_replaces else writer.update_document
            for document in documents:
                write(**document)

    def remove(self, obj_or_string, commit=True):
        if not self.setup_complete:
            self.setup()
        with self._writing() as writer:
            writer.delete_by_term(ID, get_identifier(obj_or_string))

    def clear(self, models=None, commit=True):
        """Empty the index (or the given models' documents) with a commit, rather than
        haystack's delete-the-folder: the generation keeps growing, so every cached searcher,
        in every process, sees the change."""
        if not self.setup_complete:
            self.setup()
        if self._bulk is not None:
            raise SearchBackendError("clear() inside bulk(): use bulk(replace=True) instead.")
        with write_lock(self.path):
            writer = self._writer()
            if models is None:
                # CLEAR drops every segment and writes the current schema.
                writer.commit(mergetype=writing.CLEAR)
                return
            for model in models:
                writer.delete_by_term(DJANGO_CT, get_model_ct(model))
            writer.commit()

    def optimize(self):
        if not self.setup_complete:
            self.setup()
        with write_lock(self.path):
            self._writer().commit(optimize=True)


class WhooshEngine(StockWhooshEngine):
    backend = FastWhooshSearchBackend
    query = WhooshSearchQuery


class Solr9SearchBackend(SolrSearchBackend):
    """Haystack's Solr backend, with facet fields typed as exact strings in the generated schema
    (haystack types them as analysed English text, which facets on stemmed words)."""

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
