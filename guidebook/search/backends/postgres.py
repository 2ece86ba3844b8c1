"""PostgreSQL: a weighted tsvector (title A, body B) that the database computes for every row of
search_document, with a GIN index (migration 0002); ranked by ts_rank_cd() with the title
weighted above the body, snippets by ts_headline(), "did you mean" by pg_trgm similarity over
the words of the indexed documents.

The tsquery is written here, from the words query.py found, each one quoted: a visitor's text
is never tsquery syntax.
"""

import json
import re

from .base import Plan, Row, Vendor, closest, to_stored
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
    def matched(self, plan: Plan) -> tuple[str, list]:
        if plan.match is None:
            return f"search_document d WHERE {plan.where}", plan.params
        return (
            f"search_document d WHERE {self.text_condition(plan.match)[0]} AND {plan.where}",
            [plan.match, *plan.params],
        )

    def weights(self) -> str:
        # {D, C, B, A}: a title word (A) counts title_weight times a body word (B).
        body = 1.0 / max(self.title_weight, 1.0)
        return f"{{{body / 4}, {body / 2}, {body}, 1.0}}"

    def rows(self, plan: Plan) -> list[Row]:
        source, params = self.matched(plan)
        order, order_params = self.order_sql(plan)
        if plan.match is None:
            score, score_params = "0.0", []
        else:
            score = f"ts_rank_cd(%s::float4[], d.search_vector, {TSQUERY})"
            score_params = [self.weights(), plan.match]
        order = order or ("score DESC, d.id" if plan.match else "d.id DESC")
        limit = "ALL" if plan.limit is None else "%s"
        page = (
            f"SELECT d.id, {score} AS score FROM {source} ORDER BY {order} LIMIT {limit} OFFSET %s"
        )
        page_params = [*score_params, *params, *order_params]
        page_params += [] if plan.limit is None else [plan.limit]
        page_params.append(plan.offset)
        if plan.highlight and plan.match:
            snippet = f"ts_headline('{CONFIG}', {ESCAPED_BODY}, {TSQUERY}, %s)"
            snippet_params = [plan.match, HEADLINE_OPTIONS]
        else:
            snippet, snippet_params = "NULL", []
        # The page's order survives the join through its row numbers.
        sql = (
            f"SELECT {SELECT}, page.score, {snippet} FROM ("
            f"SELECT ranked.*, row_number() OVER () AS ordinal FROM ({page}) ranked"
            ") page JOIN search_document d ON d.id = page.id ORDER BY page.ordinal"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*snippet_params, *page_params])
            return [self.row(values) for values in cursor.fetchall()]

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
            data=json.loads(data) if isinstance(data, str) else data,
            score=float(score),
            snippet=snippet,
        )

    def count(self, plan: Plan) -> int:
        source, params = self.matched(plan)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {source}", params)
            return cursor.fetchone()[0]

    def facet_counts(self, plan: Plan) -> dict[str, list[tuple[str, int]]]:
        source, params = self.matched(plan)
        source = source.replace(" WHERE ", " JOIN search_facet f ON f.document_id = d.id WHERE ", 1)
        sql = (
            f"SELECT f.field, f.value, count(*) FROM {source} AND f.field = ANY(%s) "
            "GROUP BY f.field, f.value ORDER BY f.field, count(*) DESC, f.value"
        )
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in plan.facets}
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(plan.facets)])
            for name, value, number in cursor.fetchall():
                counts[name].append((value, number))
        return counts

    def suggestion(self, words: list[str]) -> str | None:
        """Each word the index knows stays; any other becomes the nearest of the words most
        similar to it by trigrams (pg_trgm) that still find a document in the index now, so
        that a word of a document since removed (made private, say) is never suggested."""
        distinct = list(dict.fromkeys(words))
        corrected = {}
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT word FROM search_word WHERE word = ANY(%s)", [distinct])
            known = {word for (word,) in cursor.fetchall()}
            for word in distinct:
                if word in known or not word.isalpha() or len(word) < 3:
                    continue
                cursor.execute(
                    "SELECT candidate.word, candidate.similarity FROM ("
                    "  SELECT word, similarity(word, %s) AS similarity FROM search_word"
                    "  WHERE word %% %s ORDER BY similarity DESC, word LIMIT 10) candidate "
                    "WHERE EXISTS (SELECT 1 FROM search_document d WHERE d.search_vector @@ "
                    f"  plainto_tsquery('{CONFIG}', candidate.word))",
                    [word, word],
                )
                corrected[word] = closest(word, cursor.fetchall())
        if not any(corrected.values()):
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
