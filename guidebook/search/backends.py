"""Search backends. WhooshEngine is the embedded default selected by SEARCH_URL=whoosh://..."""

from haystack.backends.whoosh_backend import WhooshEngine as StockWhooshEngine


class WhooshEngine(StockWhooshEngine):
    pass
