"""PostgreSQL: a weighted tsvector (title A, body B) that the database computes for every row of
search_document, with a GIN index (migration 0002); ranked by ts_rank_cd() with the title
weighted above the body, snippets by ts_headline(), "did you mean" by pg_trgm similarity over
the words of the indexed documents.

The tsquery is written here, from the words query.py found, each one quoted: a visitor's text
is never tsquery syntax.
"""

import json
import re

from .base import Answer, Plan, Row, Vendor, closest, to_stored
from .query import And, Not, Or, Text

CONFIG = "english"
TSQUERY = f"to_tsquery('{CONFIG}', %s)"
# ts_headline reads the body HTML-escaped, so the only markup in what it returns is its own.
ESCAPED_BODY = "replace(replace(replace(d.body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
HEADLINE_OPTIONS = (
    'StartSel="<mark>", StopSel="</mark>", MaxWords=30, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
NOT_MARK = re.compile(r"<(?!/?mark>)")


def load(value):
    return json.loads(value) if isinstance(value, str) else value


SELECT = "d.identifier, d.django_ct, d.django_id, d.body, d.data"


def lexeme(word: str, *, prefix=False, column=None) -> str:
    weight = "A" if column == "title" else ""
    suffix = ":" + ("*" if prefix else "") + weight if prefix or weight else ""
    return "'" + word.replace("'", "''").replace("\\", "") + "'" + suffix


class PostgreSQL(Vendor):
    # -------------------------------------------------------------- compiling
    def text_expression(self, node) -> str | None:
        if isinstance(node, Text):
            last = len(node.words) - 1
            parts = [
                lexeme(word, prefix=node.prefix and i == last, column=node.column)
                for i, word in enumerate(node.words)
            ]
            return "(" + (" <-> " if node.phrase else " & ").join(parts) + ")"
        if isinstance(node, Not):
            inner = self.text_expression(node.child)
            return None if inner is None else f"!{inner}"
        if isinstance(node, And | Or):
            parts = [self.text_expression(child) for child in node.children]
            if not parts or None in parts:
                return None
            return "(" + (" & " if isinstance(node, And) else " | ").join(parts) + ")"
        return None

    def text_condition(self, expression: str) -> tuple[str, list]:
        return f"d.search_vector @@ {TSQUERY}", [expression]

    def stored_value(self, name: str) -> tuple[str, list]:
        return "(d.data -> %s)", [name]

    def stored_text(self, name: str) -> tuple[str, list]:
        return "(d.data ->> %s)", [name]

    def literal(self, value) -> tuple[str, list]:
        return "%s::jsonb", [json.dumps(to_stored(value))]

    def contains(self, name: str, value) -> tuple[str, list]:
        # jsonb @> holds for an equal scalar and for an array holding the value.
        return "(d.data -> %s) @> %s::jsonb", [name, json.dumps(to_stored(value))]

    # -------------------------------------------------------------- reading
    def weights(self) -> str:
        # {D, C, B, A}: a title word (A) counts title_weight times a body word (B).
        body = 1.0 / max(self.title_weight, 1.0)
        return f"{{{body / 4}, {body / 2}, {body}, 1.0}}"

    def answer(self, plan: Plan) -> Answer:
        """The page, the count and the facet counts in one statement: the matching documents
        are found (and ranked) once, in `matched`, and everything is read from there; the
        page's rows alone are read in full, and only they get a ts_headline()."""
        params: list = []
        if plan.match is None:
            score, condition = "0.0", plan.where
        else:
            score = f"ts_rank_cd(%s::float4[], d.search_vector, {TSQUERY})"
            params += [self.weights(), plan.match]
            condition = f"d.search_vector @@ {TSQUERY} AND {plan.where}"
            params.append(plan.match)
        params += plan.params
        order, order_params = self.order_sql(plan)
        order = order or ("d.score DESC, d.id" if plan.match else "d.id DESC")
        if plan.highlight and plan.match:
            snippet = f"ts_headline('{CONFIG}', {ESCAPED_BODY}, {TSQUERY}, %s)"
            snippet_params = [plan.match, HEADLINE_OPTIONS]
        else:
            snippet, snippet_params = "NULL", []
        limit = "ALL" if plan.limit is None else "%s"
        # Facets as a GROUP BY over search_facet, one pass for every field, read from the
        # (document, field, value) index alone: reading the values out of each match's jsonb
        # cost three detoasts per match. `= ANY(ARRAY(...))` rather than a join, which the
        # planner would answer by hashing the whole facet table (docs/benchmarks.md).
        facets = (
            "SELECT f.field, f.value, count(*) AS n FROM search_facet f "
            "WHERE f.document_id = ANY(ARRAY(SELECT id FROM matched)) AND f.field = ANY(%s) "
            "GROUP BY f.field, f.value"
        )
        facet_params = [list(plan.facets)] if plan.facets else []
        data = ", d.data" if plan.sort_by else ""  # sorting on a stored field reads it
        sql = (
            f"WITH matched AS MATERIALIZED (SELECT d.id{data}, {score} AS score "
            f"FROM search_document d WHERE {condition}), "
            f"page AS (SELECT d.id, d.score, row_number() OVER (ORDER BY {order}) AS ordinal "
            f"FROM matched d ORDER BY {order} LIMIT {limit} OFFSET %s) "
            "SELECT (SELECT count(*) FROM matched), "
            + (
                f"(SELECT json_agg(json_build_array(field, value, n)) FROM ({facets}) f), "
                if plan.facets
                else "NULL, "
            )
            + f"(SELECT json_agg(json_build_array({SELECT}, page.score, {snippet}) "
            "ORDER BY page.ordinal) FROM page JOIN search_document d ON d.id = page.id)"
        )
        params += [*order_params, *order_params]
        params += [] if plan.limit is None else [plan.limit]
        params.append(plan.offset)
        params += [*facet_params, *snippet_params]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            hits, facet_rows, rows = cursor.fetchone()
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in plan.facets}
        for name, value, number in sorted(
            load(facet_rows) or [], key=lambda row: (row[0], -row[2], row[1])
        ):
            counts[name].append((value, number))
        return Answer(hits=hits, rows=[self.row(row) for row in load(rows) or []], facets=counts)

    @staticmethod
    def row(values) -> Row:
        identifier, django_ct, django_id, body, data, score, snippet = values
        if snippet is not None:
            snippet = NOT_MARK.sub("&lt;", snippet)
            if "<mark>" not in snippet:
                snippet = None  # matched in the title only: the page shows the body's start
        return Row(
            identifier=identifier,
            django_ct=django_ct,
            django_id=django_id,
            body=body,
            data=load(data),
            score=float(score),
            snippet=snippet,
        )

    def suggestion(self, words: list[str]) -> str | None:
        """Each word the index knows stays; any other becomes the nearest (by edits) of the
        ten words most similar to it by trigrams (pg_trgm, an index-ordered search), provided
        it still finds a document in the index now: a word of a document since removed (made
        private, say) is never suggested."""
        distinct = list(dict.fromkeys(words))
        corrected = {}
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT word FROM search_word WHERE word = ANY(%s)", [distinct])
            known = {word for (word,) in cursor.fetchall()}
            for word in distinct:
                if word in known or not word.isalpha() or len(word) < 3:
                    continue
                cursor.execute(
                    "SELECT word, similarity(word, %s) FROM search_word "
                    "ORDER BY word <-> %s LIMIT 10",
                    [word, word],
                )
                candidates = cursor.fetchall()
                while candidates and (best := closest(word, candidates)):
                    cursor.execute(
                        "SELECT EXISTS (SELECT 1 FROM search_document "
                        f"WHERE search_vector @@ plainto_tsquery('{CONFIG}', %s))",
                        [best],
                    )
                    if cursor.fetchone()[0]:
                        corrected[word] = best
                        break
                    candidates = [pair for pair in candidates if pair[0] != best]
        if not corrected:
            return None
        return " ".join(corrected.get(word) or word for word in words)

    # -------------------------------------------------------------- writing
    def after_write(self, cursor, document_ids: list[int]) -> None:
        """The documents' words, unstemmed, join the vocabulary "did you mean" draws from.
        Sorted, so that two transactions adding the same new words never wait on each other
        in opposite orders."""
        cursor.execute(
            "INSERT INTO search_word (word) SELECT DISTINCT word FROM search_document d, "
            "unnest(tsvector_to_array(to_tsvector('simple', d.body))) word "
            "WHERE d.id = ANY(%s) AND length(word) BETWEEN 3 AND 40 AND word ~ '^[[:alpha:]]+$' "
            "ORDER BY word ON CONFLICT DO NOTHING",
            [document_ids],
        )
