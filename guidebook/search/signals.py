"""Keeping the index up to date. A placeholder until the queued processor lands."""

from haystack.signals import BaseSignalProcessor


class QueuedSignalProcessor(BaseSignalProcessor):
    pass
