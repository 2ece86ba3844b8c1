"""SQLite: FTS5 over search_document (created by migration 0002 with the triggers that keep it in
step), ranked by bm25() with the title weighted above the body, snippets by FTS5's snippet(),
"did you mean" from the fts5vocab table of the unstemmed words.

Match expressions are written here from the words query.py found, each one quoted: FTS5's own
syntax (NEAR, column:, ^, *, parentheses) in a visitor's text stays text.
"""

import json

from .base import SNIPPET_START, Answer, Plan, Row, Vendor, closest, marked_snippet, to_stored
from .query import And, Not, Or, Text

FTS = "search_document_fts"
# CROSS JOIN: SQLite keeps FTS5 as the outer loop (the matches first, then their rows); left to
# itself it may scan the documents and run the full-text query once per row.
MATCHED = f"{FTS} CROSS JOIN search_document d ON d.id = {FTS}.rowid"
SNIPPET_TOKENS = 32
SELECT = "d.identifier, d.django_ct, d.django_id, d.body, d.data"


def quoted(words) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


class SQLite(Vendor):
    # -------------------------------------------------------------- compiling
    def text_expression(self, node) -> str | None:
        if isinstance(node, Text):
            expression = quoted(node.words) + (" *" if node.prefix else "")
            return f"{node.column} : {expression}" if node.column else expression
        if isinstance(node, And):
            required = [child for child in node.children if not isinstance(child, Not)]
            excluded = [child.child for child in node.children if isinstance(child, Not)]
            parts = [self.text_expression(child) for child in required]
            others = [self.text_expression(child) for child in excluded]
            if not parts or None in parts or None in others:
                return None  # FTS5's NOT needs something on its left: left to SQL
            expression = "(" + " AND ".join(parts) + ")"
            if others:
                expression += " NOT (" + " OR ".join(others) + ")"
            return expression
        if isinstance(node, Or):
            parts = [self.text_expression(child) for child in node.children]
            if not parts or None in parts:
                return None
            return "(" + " OR ".join(parts) + ")"
        return None

    def text_condition(self, expression: str) -> tuple[str, list]:
        return f"d.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)", [expression]

    def stored_value(self, name: str) -> tuple[str, list]:
        return "json_extract(d.data, %s)", [json_path(name)]

    def literal(self, value) -> tuple[str, list]:
        return "%s", [to_stored(value)]

    def contains(self, name: str, value) -> tuple[str, list]:
        return (
            "EXISTS (SELECT 1 FROM json_each(d.data, %s) WHERE json_each.value = %s)",
            [json_path(name), to_stored(value)],
        )

    # -------------------------------------------------------------- reading
    def matched(self, plan: Plan) -> tuple[str, list]:
        """FROM and WHERE for the matching documents."""
        if plan.match is None:
            return f"search_document d WHERE {plan.where}", plan.params
        return f"{MATCHED} WHERE {FTS} MATCH %s AND {plan.where}", [plan.match, *plan.params]

    def rows(self, plan: Plan) -> list[Row]:
        source, params = self.matched(plan)
        order, order_params = self.order_sql(plan)
        if plan.match is None:
            score, snippet = "0.0", "NULL"
            order = order or "d.id DESC"
        else:
            # bm25() is negative, better matches lower; FTS5 sorts by `rank` itself and only
            # computes snippet() for the rows it returns.
            score = f"-{FTS}.rank"
            snippet = (
                f"snippet({FTS}, 1, char(2), char(3), '…', {SNIPPET_TOKENS})"
                if plan.highlight
                else "NULL"
            )
            source += f" AND {FTS}.rank MATCH %s"
            params = [*params, f"bm25({float(self.title_weight)}, 1.0)"]
            order = order or f"{FTS}.rank"
        sql = f"SELECT {SELECT}, {score}, {snippet} FROM {source} ORDER BY {order}"
        sql += " LIMIT %s OFFSET %s"
        params = [*params, *order_params, -1 if plan.limit is None else plan.limit, plan.offset]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [self.row(values) for values in cursor.fetchall()]

    @staticmethod
    def row(values) -> Row:
        identifier, django_ct, django_id, body, data, score, snippet = values
        if snippet is not None and SNIPPET_START not in snippet:
            snippet = None  # the match was in the title: the page shows the body's start
        return Row(
            identifier=identifier,
            django_ct=django_ct,
            django_id=django_id,
            body=body,
            data=json.loads(data) if isinstance(data, str) else data,
            score=score,
            snippet=marked_snippet(snippet) if snippet is not None else None,
        )

    def answer(self, plan: Plan) -> Answer:
        rows = self.rows(plan) if plan.limit != 0 else []
        hits = len(rows) + plan.offset
        if plan.limit is None or len(rows) == plan.limit or (plan.offset and not rows):
            hits = self.count(plan)  # a full page: there may be more
        facets = self.facet_counts(plan) if plan.facets else {}
        return Answer(hits=hits, rows=rows, facets=facets)

    def count(self, plan: Plan) -> int:
        source, params = self.matched(plan)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {source}", params)
            return cursor.fetchone()[0]

    def facet_counts(self, plan: Plan) -> dict[str, list[tuple[str, int]]]:
        source, params = self.matched(plan)
        source = source.replace(
            " WHERE ", " CROSS JOIN search_facet f ON f.document_id = d.id WHERE ", 1
        )
        # Every facet asked for (the page's case): one index range per document, no field test.
        marks = ", ".join(["%s"] * len(plan.facets))
        fields = "" if set(plan.facets) >= plan.facet_fields else f" AND f.field IN ({marks})"
        params = [*params, *plan.facets] if fields else params
        sql = (
            f"SELECT f.field, f.value, count(*) FROM {source}{fields} "
            "GROUP BY f.field, f.value ORDER BY f.field, count(*) DESC, f.value"
        )
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in plan.facets}
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            for name, value, number in cursor.fetchall():
                if name in counts:
                    counts[name].append((value, number))
        return counts

    def suggestion(self, words: list[str]) -> str | None:
        """Each word the index holds stays; any other becomes the nearest word that does,
        among those of similar length sharing its first letter (as Lucene's spell checker),
        from the vocabulary of the documents in the index now."""
        distinct = list(dict.fromkeys(words))
        marks = ", ".join(["%s"] * len(distinct))
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term FROM search_spelling_vocab WHERE term IN ({marks})", distinct
            )
            known = {term for (term,) in cursor.fetchall()}
            corrected = {}
            for word in distinct:
                if word in known or not word.isalpha() or len(word) < 3:
                    continue
                cursor.execute(
                    "SELECT term, doc FROM search_spelling_vocab WHERE term >= %s AND term < %s "
                    "AND length(term) BETWEEN %s AND %s",
                    [word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2],
                )
                corrected[word] = closest(word, cursor.fetchall())
        if not any(corrected.values()):
            return None
        return " ".join(corrected.get(word) or word for word in words)


def json_path(name: str) -> str:
    return '$."' + name.replace('"', "") + '"'
