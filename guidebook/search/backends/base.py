"""haystack's backend API over an index kept in the project's own database.

The parts every vendor shares live here: turning haystack's query into And/Or/Not over Text and
Field (query.py), writing documents (Document and FacetValue rows, in one transaction), reading
rows back as SearchResults. What differs, the full-text SQL, lives in one module per vendor
(sqlite.py, postgres.py) behind the Vendor interface below.

Because the index is a few tables of the database, every process that can reach the database
shares it, and a write is seen by the next query of any process once it commits.
"""

import datetime
import html
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.db import connections as databases
from django.db import transaction
from haystack import connections
from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery, log_query
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.fields import DateField, DateTimeField, FacetField
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct
from haystack.utils.app_loading import haystack_get_model

from ..models import Document, FacetValue
from .query import (
    EVERYTHING,
    NOTHING,
    And,
    Field,
    Not,
    Or,
    QueryTranslator,
    Text,
    is_text_only,
    narrow_query,
    query_words,
    user_query,
    words_of,
)

# Characters no index text keeps: C0 controls (NUL cannot be stored by PostgreSQL, and \x02
# and \x03 mark matches in SQLite's snippets) and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SNIPPET_START, SNIPPET_END = "\x02", "\x03"
DEFAULT_TITLE_WEIGHT = 4.0
UNSUPPORTED = ("date_facets", "query_facets", "within", "dwithin", "distance_point")


def clean_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = " ".join(map(str, value))
    return CONTROL.sub(" ", str(value))


def to_stored(value):
    """A field's value as the index keeps and compares it: datetimes in UTC, ISO 8601 (so
    that text order is time order), dates ISO 8601, sequences as lists."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return [to_stored(item) for item in value]
    if isinstance(value, list):
        return [to_stored(item) for item in value]
    if isinstance(value, str):
        return CONTROL.sub(" ", value)
    return value


def marked_snippet(text: str) -> str:
    """SQLite's snippet() returns the document's own characters with \x02 and \x03 around the
    matches: escape everything, then turn the markers into <mark>."""
    escaped = html.escape(text or "", quote=False)
    return escaped.replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>")


def leading_words(text: str, words: int = 30) -> str:
    parts = (text or "").split()
    shown = " ".join(parts[:words])
    return html.escape(shown + (" …" if len(parts) > words else ""), quote=False)


# ------------------------------------------------------------------------------ spelling
def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def bigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def closest(word: str, candidates, shortlist: int = 40) -> str | None:
    """The candidate nearest to word (one edit for words of up to 4 letters, two for longer),
    preferring the more frequent on a tie. Candidates are (word, frequency) pairs; only the
    `shortlist` sharing the most letter pairs with word are measured exactly."""
    limit = 1 if len(word) <= 4 else 2
    grams = bigrams(word)
    scored = sorted(
        ((len(grams & bigrams(term)), weight, term) for term, weight in candidates if term != word),
        reverse=True,
    )[:shortlist]
    best = None
    for _, weight, term in scored:
        distance = edit_distance(word, term, limit)
        if distance <= limit and (best is None or (distance, -weight) < best[0]):
            best = ((distance, -weight), term)
    return best[1] if best else None


# ------------------------------------------------------------------------------ vendors
@dataclass
class Plan:
    """One search, ready for SQL: `match` is the vendor's full-text expression (None: no text
    to match, only conditions), `where` SQL over the document table `d` with its params."""

    match: str | None
    where: str
    params: list
    sort_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    offset: int = 0
    limit: int | None = None
    facets: list[str] = field(default_factory=list)
    facet_fields: set[str] = field(default_factory=set)  # every facet field of the indexes
    highlight: bool = False


@dataclass
class Row:
    identifier: str
    django_ct: str
    django_id: str
    body: str
    data: dict
    score: float
    snippet: str | None = None


@dataclass
class Answer:
    hits: int
    rows: list[Row]
    facets: dict[str, list[tuple[str, int]]]


class Vendor(ABC):
    """What one database does for full-text search. Subclasses: sqlite.SQLite,
    postgres.PostgreSQL."""

    def __init__(self, connection, title_weight: float):
        self.connection = connection
        self.title_weight = title_weight

    # -------------------------------------------------------------- compiling
    @abstractmethod
    def text_expression(self, node) -> str | None:
        """The vendor's full-text syntax for a text-only node, or None if it has none."""
        ...

    @abstractmethod
    def text_condition(self, expression: str) -> tuple[str, list]:
        """SQL true for the documents `d` matching a text_expression()."""
        ...

    @abstractmethod
    def stored_value(self, name: str) -> tuple[str, list]:
        """SQL for a stored field's value in d.data, comparable with literal()."""
        ...

    @abstractmethod
    def literal(self, value) -> tuple[str, list]: ...

    @abstractmethod
    def contains(self, name: str, value) -> tuple[str, list]:
        """SQL true when the stored field is value, or is a list holding value."""
        ...

    def where(self, node, facet_fields: set[str]) -> tuple[str, list]:
        if isinstance(node, Text):
            expression = self.text_expression(node)
            return self.text_condition(expression) if expression else ("1 = 0", [])
        if isinstance(node, Not):
            sql, params = self.where(node.child, facet_fields)
            return f"NOT ({sql})", params
        if isinstance(node, And | Or):
            if not node.children:
                return ("1 = 1" if isinstance(node, And) else "1 = 0"), []
            if is_text_only(node) and (expression := self.text_expression(node)):
                return self.text_condition(expression)
            parts = [self.where(child, facet_fields) for child in node.children]
            joiner = " AND " if isinstance(node, And) else " OR "
            return (
                "(" + joiner.join(sql for sql, _ in parts) + ")",
                [param for _, params in parts for param in params],
            )
        return self.field_condition(node, facet_fields)

    def field_condition(self, node: Field, facet_fields: set[str]) -> tuple[str, list]:
        operators = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
        value = node.value
        if node.name in (ID, DJANGO_CT, DJANGO_ID):
            column = {ID: "d.identifier", DJANGO_CT: "d.django_ct", DJANGO_ID: "d.django_id"}
            return self.column_condition(column[node.name], node.lookup, value, operators)
        if node.name in facet_fields:
            sql, params = self.column_condition("f.value", node.lookup, value, operators)
            return (
                f"d.id IN (SELECT f.document_id FROM search_facet f WHERE f.field = %s AND {sql})",
                [node.name, *params],
            )
        stored, stored_params = self.stored_value(node.name)
        if node.lookup == "in":
            values = [self.literal(item) for item in value] or [("NULL", [])]
            return (
                f"{stored} IN ({', '.join(sql for sql, _ in values)})",
                stored_params + [p for _, params in values for p in params],
            )
        if node.lookup == "range":
            low, high = (self.literal(item) for item in value)
            return (
                f"{stored} BETWEEN {low[0]} AND {high[0]}",
                stored_params + low[1] + high[1],
            )
        if node.lookup in ("startswith", "contains"):
            text, text_params = self.stored_text(node.name)
            pattern = like_pattern(value, node.lookup)
            return f"{text} LIKE %s ESCAPE '\\'", [*text_params, pattern]
        if node.lookup == "exact":
            return self.contains(node.name, value)
        if node.lookup not in operators:
            raise SearchBackendError(f"Unknown lookup {node.lookup!r} on {node.name!r}.")
        literal, literal_params = self.literal(value)
        return f"{stored} {operators[node.lookup]} {literal}", stored_params + literal_params

    def stored_text(self, name: str) -> tuple[str, list]:
        return self.stored_value(name)

    def column_condition(self, column, lookup, value, operators) -> tuple[str, list]:
        if lookup == "in":
            values = [str(to_stored(item)) for item in value]
            if not values:
                return "1 = 0", []
            return f"{column} IN ({', '.join(['%s'] * len(values))})", values
        if lookup == "range":
            low, high = (str(to_stored(item)) for item in value)
            return f"{column} BETWEEN %s AND %s", [low, high]
        if lookup in ("startswith", "contains"):
            return f"{column} LIKE %s ESCAPE '\\'", [like_pattern(value, lookup)]
        if lookup not in operators:
            raise SearchBackendError(f"Unknown lookup {lookup!r} on {column!r}.")
        return f"{column} {operators[lookup]} %s", [str(to_stored(value))]

    # -------------------------------------------------------------- reading
    @abstractmethod
    def answer(self, plan: Plan) -> Answer:
        """The page of rows, the number of matches and the facet counts."""
        ...

    @abstractmethod
    def suggestion(self, words: list[str]) -> str | None: ...

    def order_sql(self, plan: Plan) -> tuple[str, list]:
        parts, params = [], []
        for name, descending in plan.sort_by:
            sql, sql_params = self.stored_value(name)
            parts.append(f"{sql} {'DESC' if descending else 'ASC'}")
            params += sql_params
        return ", ".join(parts), params

    # -------------------------------------------------------------- writing
    def after_write(self, cursor, document_ids: list[int]) -> None:  # noqa: B027 (optional hook)
        """Anything the vendor keeps beside the documents (PostgreSQL: the spelling words)."""


def like_pattern(value, lookup) -> str:
    escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if lookup == "startswith" else f"%{escaped}%"


def vendor_class(vendor: str) -> type[Vendor]:
    from .postgres import PostgreSQL
    from .sqlite import SQLite

    vendors = {"sqlite": SQLite, "postgresql": PostgreSQL}
    if vendor not in vendors:
        raise SearchBackendError(
            f"The database search backend works on SQLite and PostgreSQL, not {vendor}: "
            "set SEARCH_URL=solr://… to use Solr."
        )
    return vendors[vendor]


# ------------------------------------------------------------------------------ the backend
class DatabaseSearchBackend(BaseSearchBackend):
    """Options (HAYSTACK_CONNECTIONS): DATABASE, the Django database alias holding the index
    (default "default"); INCLUDE_SPELLING; BATCH_SIZE."""

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.database = connection_options.get("DATABASE", "default")

    # -------------------------------------------------------------- schema
    def unified_index(self):
        return connections[self.connection_alias].get_unified_index()

    def schema(self):
        """Which fields are text (and in which column), which are facets: from the indexes."""
        fields = self.unified_index().all_searchfields()
        content = self.unified_index().document_field
        text_columns = {"content": None, content: None}
        title_weight = DEFAULT_TITLE_WEIGHT
        facets, facet_names = set(), {}
        for name, search_field in fields.items():
            if self.is_title(search_field):
                text_columns[name] = "title"
                title_weight = search_field.boost
            if isinstance(search_field, FacetField):
                facets.add(name)
                facet_names[name] = name
                facet_names[search_field.facet_for] = name
        return text_columns, facets, facet_names, title_weight, content

    @staticmethod
    def is_title(search_field) -> bool:
        return (
            search_field.boost > 1
            and not search_field.document
            and search_field.field_type == "string"
            and not search_field.is_multivalued
            and not isinstance(search_field, FacetField)
        )

    def vendor(self, title_weight: float = DEFAULT_TITLE_WEIGHT) -> Vendor:
        connection = databases[self.database]
        return vendor_class(connection.vendor)(connection, title_weight)

    # -------------------------------------------------------------- writing
    def update(self, index, iterable, commit=True):
        """Write the documents of a batch: the old ones of the same objects go, the new ones
        come, in one transaction (a savepoint inside the caller's, if there is one), so a
        failure writes nothing and raises."""
        documents, facets = [], []
        for obj in iterable:
            try:
                prepared = index.full_prepare(obj)
            except SkipDocument:
                self.log.debug("Indexing for object `%s` skipped", obj)
                continue
            document, values = self.document(index, prepared)
            documents.append(document)
            facets.append(values)
        if not documents:
            return
        with transaction.atomic(using=self.database):
            self.delete_identifiers([document.identifier for document in documents])
            Document.objects.using(self.database).bulk_create(documents)
            FacetValue.objects.using(self.database).bulk_create(
                FacetValue(document_id=document.pk, field=name, value=value)
                for document, values in zip(documents, facets, strict=True)
                for name, value in values
            )
            with databases[self.database].cursor() as cursor:
                self.vendor().after_write(cursor, [document.pk for document in documents])

    def document(self, index, prepared: dict) -> tuple[Document, list[tuple[str, str]]]:
        title, body, data, facets = [], "", {}, []
        for search_field in index.fields.values():
            name = search_field.index_fieldname
            value = prepared.get(name)
            if search_field.document:
                body = clean_text(value)
                continue
            if self.is_title(search_field):
                title.append(clean_text(value))
            if isinstance(search_field, FacetField):
                values = value if isinstance(value, list | tuple | set) else [value]
                facets += [(name, str(to_stored(v))) for v in values if v not in (None, "")]
            if search_field.stored:
                data[name] = to_stored(value)
        document = Document(
            identifier=prepared[ID],
            django_ct=prepared[DJANGO_CT],
            django_id=str(prepared[DJANGO_ID]),
            title="\n".join(title),
            body=body,
            data=data,
        )
        return document, list(dict.fromkeys(facets))

    def delete_identifiers(self, identifiers: list[str]) -> None:
        with databases[self.database].cursor() as cursor:
            for start in range(0, len(identifiers), 500):
                chunk = identifiers[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "DELETE FROM search_facet WHERE document_id IN "
                    f"(SELECT id FROM search_document WHERE identifier IN ({marks}))",
                    chunk,
                )
                cursor.execute(f"DELETE FROM search_document WHERE identifier IN ({marks})", chunk)

    def remove(self, obj_or_string, commit=True):
        with transaction.atomic(using=self.database):
            self.delete_identifiers([get_identifier(obj_or_string)])

    def clear(self, models=None, commit=True):
        with transaction.atomic(using=self.database), databases[self.database].cursor() as cursor:
            if models is None:
                cursor.execute("DELETE FROM search_facet")
                cursor.execute("DELETE FROM search_document")
                return
            cts = [get_model_ct(model) for model in models]
            marks = ", ".join(["%s"] * len(cts))
            cursor.execute(
                "DELETE FROM search_facet WHERE document_id IN "
                f"(SELECT id FROM search_document WHERE django_ct IN ({marks}))",
                cts,
            )
            cursor.execute(f"DELETE FROM search_document WHERE django_ct IN ({marks})", cts)

    def bulk(self, *, replace: bool = False):
        """The indexing commands write inside this: one transaction for the whole run, so that
        a rebuild (replace=True: clear first) is seen by other processes only once complete,
        and an error part-way writes nothing."""
        return BulkWrite(self, replace)

    # -------------------------------------------------------------- reading
    @log_query
    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        narrow_queries=None,
        spelling_query=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        unsupported = [name for name in UNSUPPORTED if kwargs.get(name)]
        if unsupported:
            raise SearchBackendError(
                f"The database search backend does not support {', '.join(unsupported)}."
            )
        text_columns, facet_fields, facet_names, title_weight, content = self.schema()
        translator = QueryTranslator(text_columns, facet_names)
        if isinstance(query_string, str):  # raw_search(): the text is a visitor's, not syntax
            query_string = user_query(query_string)
        conditions = [query_string]
        conditions += [narrow_query(narrow, translator) for narrow in narrow_queries or ()]
        model_cts = self.model_cts(models, limit_to_registered_models)
        if model_cts is not None:
            conditions.append(Field(DJANGO_CT, "in", model_cts))
        tree = flatten(And(tuple(conditions)))
        spelling = None
        if self.include_spelling:
            words = words_of(spelling_query) if spelling_query else query_words(query_string)
            spelling = self.vendor().suggestion(words) if words else None
        empty = {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": spelling}
        if tree == NOTHING:
            return empty
        vendor = self.vendor(title_weight)
        plan = self.plan(vendor, tree, facet_fields)
        plan.sort_by = [(name.lstrip("-"), name.startswith("-")) for name in sort_by or ()]
        plan.offset = start_offset or 0
        plan.limit = None if end_offset is None else max(end_offset - plan.offset, 0)
        plan.highlight = bool(highlight)
        plan.facets = [name for name in facets or () if name in facet_fields]
        plan.facet_fields = facet_fields
        answer = vendor.answer(plan)
        rows, hits, counts = answer.rows, answer.hits, answer.facets
        if facets:
            counts = {name: self.limited(counts.get(name, []), facets[name]) for name in facets}
        return {
            "results": self.results(rows, content, highlight, result_class),
            "hits": hits,
            "facets": {"fields": counts, "dates": {}, "queries": {}} if facets else {},
            "spelling_suggestion": spelling,
        }

    @staticmethod
    def limited(counts, options):
        limit = (options or {}).get("limit")
        return counts[:limit] if limit else counts

    def plan(self, vendor: Vendor, tree, facet_fields) -> Plan:
        """The text conditions of the top-level AND go into one full-text expression, which
        also ranks; the rest become SQL conditions."""
        children = tree.children if isinstance(tree, And) else (tree,)
        text = [child for child in children if is_text_only(child)]
        match = vendor.text_expression(And(tuple(text))) if text else None
        rest = [child for child in children if match is None or child not in text]
        where, params = vendor.where(And(tuple(rest)), facet_fields)
        return Plan(match=match, where=where, params=params)

    def model_cts(self, models, limit_to_registered_models) -> list[str] | None:
        from django.conf import settings

        if models:
            return sorted(get_model_ct(model) for model in models)
        if limit_to_registered_models is None:
            limit_to_registered_models = getattr(
                settings, "HAYSTACK_LIMIT_TO_REGISTERED_MODELS", True
            )
        return self.build_models_list() if limit_to_registered_models else None

    def results(self, rows: list[Row], content: str, highlight, result_class):
        unified_index = self.unified_index()
        indexed = unified_index.get_indexed_models()
        result_class = result_class or SearchResult
        results = []
        for row in rows:
            app_label, model_name = row.django_ct.split(".")
            model = haystack_get_model(app_label, model_name)
            if model is None or model not in indexed:
                continue
            index_fields = unified_index.get_index(model).fields
            by_name = {f.index_fieldname: f for f in index_fields.values()}
            values = {name: self.to_python(by_name.get(name), v) for name, v in row.data.items()}
            values[content] = row.body
            values[ID] = row.identifier
            if highlight:
                values["highlighted"] = {content: [row.snippet or leading_words(row.body)]}
            results.append(result_class(app_label, model_name, row.django_id, row.score, **values))
        return results

    @staticmethod
    def to_python(search_field, value):
        if value is None or search_field is None:
            return value
        if isinstance(search_field, DateTimeField) and isinstance(value, str):
            return datetime.datetime.fromisoformat(value)
        if isinstance(search_field, DateField) and isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
        return search_field.convert(value)


class BulkWrite:
    def __init__(self, backend: DatabaseSearchBackend, replace: bool):
        self.backend, self.replace = backend, replace
        self.atomic = transaction.atomic(using=backend.database)

    def __enter__(self):
        self.atomic.__enter__()
        if self.replace:
            self.backend.clear()
        return self.backend

    def __exit__(self, *exc_info):
        return self.atomic.__exit__(*exc_info)


def flatten(node):
    if isinstance(node, And):
        children = []
        for child in map(flatten, node.children):
            if child == NOTHING:
                return NOTHING
            children += child.children if isinstance(child, And) else [child]
        children = [child for child in dict.fromkeys(children) if child != EVERYTHING]
        return children[0] if len(children) == 1 else And(tuple(children))
    if isinstance(node, Or):
        children = [child for child in map(flatten, node.children) if child != NOTHING]
        return children[0] if len(children) == 1 else Or(tuple(children))
    if isinstance(node, Not):
        return Not(flatten(node.child))
    return node


class DatabaseSearchQuery(BaseSearchQuery):
    """Builds the parsed query (query.py) instead of a query string."""

    def build_query(self):
        backend = self.backend
        text_columns, _, facet_names, _, _ = backend.schema()
        return flatten(QueryTranslator(text_columns, facet_names).node(self.query_filter))

    def __str__(self):
        return repr(self.build_query())

    def build_query_fragment(self, field, filter_type, value):
        raise NotImplementedError("DatabaseSearchQuery builds a parsed query, not a string.")

    def matching_all_fragment(self):
        return EVERYTHING


class DatabaseEngine(BaseEngine):
    backend = DatabaseSearchBackend
    query = DatabaseSearchQuery
