"""Whoosh's W3 codec with two slow paths fixed, and the format of the document text. The index
stays readable by stock Whoosh only through this module, because Whoosh pickles the codec into
each segment's record and the schema (with its formats) into the table of contents.

* Inlined postings: W3Codec can keep a rare term's postings inside the term dictionary instead
  of writing (and compressing) a block for it, but its writer calls a method that does not
  exist (`set_inline` for `set_inlined`), so the feature is off by default. Most words of a
  real vocabulary occur in a handful of documents, and a block per rare word was most of the
  indexing time (bench/search.py).
* Field lengths: flushing a segment asks for the length of every posting's field, which the
  reader looked up in the column file one document at a time (and, for fields that store no
  lengths, by checking the disk for the missing column every time). The reader here loads a
  field's length column once, a byte per document, and answers from memory; scoring at query
  time asks the same question and gets the same answer faster.
* Document text: SpelledCharacters is Whoosh's Characters format (positions and character
  offsets, for phrases and highlighting), which can also collect the unstemmed words of the text
  while analysing it, so that the writer (guidebook.search.writing) gets the spelling words
  without analysing the text a second time.
"""

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PerDocReader,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.formats import Characters, tokens
from whoosh.util.numeric import byte_to_length

# Terms found in fewer documents than this keep their postings in the term dictionary.
INLINE_POSTINGS = 16
# A field length is stored as one byte; a zero byte (no length) reads back as None, as in W3.
LENGTHS = (None, *(byte_to_length(value) for value in range(1, 256)))


class InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        if not self.written() and len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            # Formats without values (ids, keywords) buffer none; a merge reading the inlined
            # postings back must get b"" for each, as it does from a block.
            values = self._values or [b""] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class LengthCachingPerDocReader(W3PerDocReader):
    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._lengths = {}

    def _cached_reader(self, fieldname, column):
        if fieldname not in self._readers:
            self._readers[fieldname] = (
                self.column_reader(fieldname, column) if self.has_column(fieldname) else None
            )
        return self._readers[fieldname]

    def _length_bytes(self, fieldname) -> bytes | None:
        """The field's whole length column (one byte per document), read once."""
        if fieldname not in self._lengths:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._lengths[fieldname] = (
                None if reader is None else reader._dbfile.get(reader._basepos, reader._count)
            )
        return self._lengths[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = self._length_bytes(fieldname)
        if lengths is None:
            return default
        # Documents after the last one written with a length have none (W3's default byte).
        return LENGTHS[lengths[docnum]] if docnum < len(lengths) else None


class GuidebookCodec(W3Codec):
    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_POSTINGS):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def per_document_reader(self, storage, segment):
        return LengthCachingPerDocReader(storage, segment)


class SpelledCharacters(Characters):
    def word_values(self, value, analyzer, spelling_words=None, **kwargs):
        """Characters.word_values; given a set as `spelling_words`, also adds to it every word
        of the text as the analyser saw it before stemming (lower-cased, stop words left out:
        what the field's spellable_words() would list)."""
        if spelling_words is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        seen, weights = {}, {}
        kwargs.update(positions=True, chars=True, boosts=True, keeporiginal=True)
        for token in tokens(value, analyzer, kwargs):
            text = token.text
            if text in seen:
                seen[text].append((token.pos, token.startchar, token.endchar))
                weights[text] += token.boost
            else:
                seen[text] = [(token.pos, token.startchar, token.endchar)]
                weights[text] = token.boost
            spelling_words.add(token.original.lower())
        for text, positions in seen.items():
            yield text, len(positions), weights[text] * self.field_boost, self.encode(positions)
