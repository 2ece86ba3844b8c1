"""Whoosh's segment writer, faster for batches of documents (bench/search.py).

* Spelling words: a text field with `spelling=True` and a stemming analyser keeps its unstemmed
  words in a second field, and Whoosh's writer analyses the text a second time for them and
  adds one posting per word *per document*, every one of them to document 0 of the segment:
  the same posting again and again, almost half of all postings. That field is only read as a
  word list (`terms_within`, for "did you mean"), so GuidebookWriter takes the words from the
  one analysis of the text (SpelledCharacters) and writes each word once per segment.
* The posting pool (TermPool) groups postings by term as they arrive instead of keeping one
  tuple per posting and sorting millions of them.
"""

import contextlib
import heapq
import itertools
import marshal
from operator import itemgetter

from whoosh.util import random_name
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

from .codec import GuidebookCodec, SpelledCharacters


class TermPool:
    """The writer's posting pool, holding postings grouped by term.

    Whoosh's PostingPool keeps one tuple per posting and sorts them all at the end (and, past
    its memory limit, sorts and writes them to temporary files to merge later): millions of
    tuples for a few thousand documents. Here each term keeps a list of its postings, which
    arrive in document order, so only the terms are sorted; past the memory limit the
    grouped postings go to a temporary file ("run") in term order, and the runs are merged at
    the end, oldest first, which keeps each term's documents in order.

    Spelling fields keep the first posting of each word (see the module's docstring).
    """

    # Rough bytes per posting held in memory (tuple, list slot, value bytes).
    POSTING_BYTES = 96

    def __init__(self, tempstore, *, limitmb=128, spelling_fields=()):
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.spelling_fields = frozenset(spelling_fields)
        self.runs = []
        self._terms = {}
        self._size = 0

    def add(self, item):
        fieldname, text, docnum, weight, value = item
        key = (fieldname, text)
        postings = self._terms.get(key)
        if postings is None:
            postings = self._terms[key] = []
        elif fieldname in self.spelling_fields:
            return
        postings.append((docnum, weight, value))
        self._size += self.POSTING_BYTES + len(text) + len(value or b"")
        if self._size > self.limit:
            self._save_run()

    def _save_run(self):
        name = f"{random_name()}.run"
        with self.tempstore.create_file(name).raw_file() as run:
            for key in sorted(self._terms):
                marshal.dump((key, self._terms[key]), run)
        self.runs.append(name)
        self._terms = {}
        self._size = 0

    def _read_run(self, name):
        with self.tempstore.open_file(name).raw_file() as run:
            while True:
                try:
                    yield marshal.load(run)  # noqa: S302 (a file this pool wrote)
                except EOFError:
                    break
        self.tempstore.delete_file(name)

    def _grouped(self):
        """(term key, postings) in term order, each term once."""
        in_memory = ((key, self._terms[key]) for key in sorted(self._terms))
        if not self.runs:
            yield from in_memory
            return
        # heapq.merge is stable: runs are merged oldest first, then the postings in memory.
        merged = heapq.merge(
            *(self._read_run(name) for name in self.runs), in_memory, key=itemgetter(0)
        )
        for key, groups in itertools.groupby(merged, key=itemgetter(0)):
            postings = []
            for _, part in groups:
                postings.extend(part)
            if key[0] in self.spelling_fields:
                postings = postings[:1]
            yield key, postings

    def iter_postings(self):
        for (fieldname, text), postings in self._grouped():
            for docnum, weight, value in postings:
                yield fieldname, text, docnum, weight, value

    def cleanup(self):
        for name in self.runs:
            with contextlib.suppress(OSError):
                self.tempstore.delete_file(name)
        self.runs = []
        self._terms = {}


class GuidebookWriter(SegmentWriter):
    """A SegmentWriter with GuidebookCodec, the term-grouped pool, and spelling words taken from
    the one analysis of the text."""

    def __init__(self, ix, *, limitmb=128, **kwargs):
        super().__init__(ix, codec=GuidebookCodec(), limitmb=limitmb, **kwargs)
        spelling = {
            field.spelling_fieldname(name)
            for name, field in self.schema.items()
            if field.separate_spelling()
        }
        self.pool = TermPool(self._tempstorage, limitmb=limitmb, spelling_fields=spelling)
        self._spelled = set()  # (spelling field, word) written to this segment

    def _postings(self, field, fieldname, value):
        """The field's (term, frequency, weight, value) items, and the spelling postings of
        words this segment has not had yet."""
        if not field.separate_spelling():
            return field.index(value), ()
        if isinstance(field.format, SpelledCharacters):
            words = set()
            items = list(field.index(value, spelling_words=words))  # fills words
        else:  # an index written before SpelledCharacters: analyse twice, as Whoosh does
            items, words = field.index(value), set(field.spellable_words(value))
        spelling_field = field.spelling_fieldname(fieldname)
        spelled = self._spelled
        new = []
        for word in words:
            if (spelling_field, word) not in spelled:
                spelled.add((spelling_field, word))
                # Whoosh files every spelling posting under document 0 of the segment.
                new.append((spelling_field, utf8encode(word)[0], 0, 1, None))
        return items, new

    def add_document(self, **fields):
        """Whoosh's SegmentWriter.add_document, but for _postings() above (term vectors, which
        Guidebook's schema does not use, are refused rather than silently dropped)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                if field.vector:
                    raise ValueError(f"GuidebookWriter does not write term vectors ({fieldname})")
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    items, spelling = self._postings(field, fieldname, value)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                    for posting in spelling:
                        add_post(posting)
                stored_value = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, field, stored_value if field.stored else None, length
                )
                column = field.column_type
                if column and stored_value is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(stored_value)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
