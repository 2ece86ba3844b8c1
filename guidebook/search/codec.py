"""Whoosh's W3 codec with two of its write paths fixed; the index stays readable by stock Whoosh
only through this module, because Whoosh pickles the codec into each segment's record.

* Inlined postings: W3Codec can keep a rare term's postings inside the term dictionary instead
  of writing (and compressing) a block for it, but its writer calls a method that does not
  exist (`set_inline` for `set_inlined`), so the feature is off by default. Most words of a
  real vocabulary occur in a handful of documents, and a block per rare word was most of the
  indexing time (bench/search.py).
* Field lengths: while flushing a segment the writer asks for the length of every posting's
  field; for fields that store no lengths (ids, facets) the reader checks the disk for the
  missing column every time. The answer is remembered here.
"""

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PostingsWriter

# Terms found in fewer documents than this keep their postings in the term dictionary.
INLINE_POSTINGS = 16


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
    def _cached_reader(self, fieldname, column):
        if fieldname not in self._readers:
            self._readers[fieldname] = (self.column_reader(fieldname, column)
                                        if self.has_column(fieldname) else None)
        return self._readers[fieldname]


class GuidebookCodec(W3Codec):
    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_POSTINGS):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression,
                                      inlinelimit=self._inlinelimit)

    def per_document_reader(self, storage, segment):
        return LengthCachingPerDocReader(storage, segment)
