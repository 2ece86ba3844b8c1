"""The full-text half of the index, which differs by database vendor: each operation runs on its
own vendor only, so that `migrate` builds everything on SQLite and on PostgreSQL."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class RunSQLOn(migrations.RunSQL):
    """RunSQL for one database vendor; skipped (forwards and backwards) on the others."""

    def __init__(self, vendor, sql, reverse_sql):
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {"vendor": self.vendor, **kwargs}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# FTS5 over the document table (external content: the text is stored once, in search_document),
# Porter stemming over Unicode words without diacritics. A second, contentless FTS5 table keeps
# the unstemmed words for "did you mean" (fts5vocab lists them with their document counts).
# Triggers keep both in step with every insert, update and delete, whoever writes.
SQLITE = [
    """CREATE VIRTUAL TABLE search_document_fts USING fts5(
        title, body, content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE search_spelling USING fts5(
        body, content='', detail='none', tokenize='unicode61 remove_diacritics 2')""",
    "CREATE VIRTUAL TABLE search_spelling_vocab USING fts5vocab(search_spelling, 'row')",
    """CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_spelling (rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts (search_document_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_spelling (search_spelling, rowid, body)
            VALUES ('delete', old.id, old.body);
    END""",
    """CREATE TRIGGER search_document_fts_update AFTER UPDATE OF title, body ON search_document
    BEGIN
        INSERT INTO search_document_fts (search_document_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_spelling (search_spelling, rowid, body)
            VALUES ('delete', old.id, old.body);
        INSERT INTO search_document_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_spelling (rowid, body) VALUES (new.id, new.body);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER search_document_fts_update",
    "DROP TRIGGER search_document_fts_delete",
    "DROP TRIGGER search_document_fts_insert",
    "DROP TABLE search_spelling_vocab",
    "DROP TABLE search_spelling",
    "DROP TABLE search_document_fts",
]

# A weighted tsvector computed by PostgreSQL itself (title A, body B) and its GIN index; the
# words of every document written, unstemmed, with a trigram index for "did you mean".
POSTGRES = [
    """ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, body), 'B')) STORED""",
    # Kept in the row (compressed) rather than TOASTed: ranking reads the vector of every match,
    # and a TOAST fetch per match cost more than the rest of the query (docs/benchmarks.md).
    "ALTER TABLE search_document ALTER COLUMN search_vector SET STORAGE MAIN",
    "CREATE INDEX search_document_vector ON search_document USING gin (search_vector)",
    "CREATE TABLE search_word (word text PRIMARY KEY)",
    # GiST, not GIN: "the nearest words" is then an index-ordered search (ORDER BY word <-> x).
    "CREATE INDEX search_word_trigram ON search_word USING gist (word gist_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP TABLE search_word",
    "ALTER TABLE search_document DROP COLUMN search_vector",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [
        TrigramExtension(),  # pg_trgm; does nothing on other databases
        RunSQLOn("sqlite", SQLITE, SQLITE_REVERSE),
        RunSQLOn("postgresql", POSTGRES, POSTGRES_REVERSE),
    ]
