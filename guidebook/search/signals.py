"""Keeping the index in step with the content. HAYSTACK_SIGNAL_PROCESSOR picks one of two ways
(config/settings/base.py, by SEARCH_URL):

* TransactionalSignalProcessor, for the database index: the document is written in the
  content's own transaction, inside a savepoint. It commits with the content, so the next query
  of every process sees it, with or without a worker; if the write fails, only the savepoint
  rolls back (the content is kept), the error is logged and the search queue retries it after
  the commit.
* QueuedSignalProcessor, for Solr: once the transaction commits, a task on the search queue
  indexes (or removes) the object. A Solr or broker outage never fails the save: the task
  retries, and a failure to queue it is logged (robust on_commit).

Both re-index the objects whose documents include a saved row (dependent_models, many-to-many
changes such as a guide's tags) and skip raw saves (loaddata: run rebuild_search_index).
"""

import logging

from django.db import models, transaction
from haystack import connections
from haystack.exceptions import NotHandled
from haystack.signals import BaseSignalProcessor

logger = logging.getLogger(__name__)
M2M_ACTIONS = ("post_add", "post_remove", "post_clear")


def queue_update(model_label: str, pk) -> None:
    from .tasks import update_object

    update_object.delay(model_label, pk)


def queue_remove(model_label: str, pk) -> None:
    from .tasks import remove_object

    remove_object.delay(model_label, pk)


class QueuedSignalProcessor(BaseSignalProcessor):
    def setup(self):
        models.signals.post_save.connect(self.handle_save, dispatch_uid="search.save")
        models.signals.post_delete.connect(self.handle_delete, dispatch_uid="search.delete")
        models.signals.m2m_changed.connect(self.handle_m2m, dispatch_uid="search.m2m")

    def teardown(self):
        models.signals.post_save.disconnect(self.handle_save, dispatch_uid="search.save")
        models.signals.post_delete.disconnect(self.handle_delete, dispatch_uid="search.delete")
        models.signals.m2m_changed.disconnect(self.handle_m2m, dispatch_uid="search.m2m")

    # -------------------------------------------------------------- what to do
    def update(self, label: str, pk) -> None:
        transaction.on_commit(lambda: queue_update(label, pk), robust=True)

    def remove(self, label: str, pk) -> None:
        transaction.on_commit(lambda: queue_remove(label, pk), robust=True)

    # -------------------------------------------------------------- when
    def _unified_index(self):
        return connections["default"].get_unified_index()

    def _dependents(self, sender, instance) -> list[tuple[str, object]]:
        """(model label, pk) of indexed objects whose documents include this row."""
        found = []
        for search_index in self._unified_index().get_indexes().values():
            related = getattr(search_index, "dependent_models", dict)()
            if sender in related and (pk := related[sender](instance)) is not None:
                found.append((search_index.get_model()._meta.label_lower, pk))
        return found

    def _indexed(self, sender) -> bool:
        try:
            self._unified_index().get_index(sender)
        except NotHandled:
            return False
        return True

    def handle_save(self, sender, instance, raw=False, **kwargs):
        if raw:  # fixtures (loaddata) are indexed by rebuild_search_index, not one by one
            return
        targets = self._dependents(sender, instance)
        if self._indexed(sender):
            targets.append((sender._meta.label_lower, instance.pk))
        for label, pk in targets:
            self.update(label, pk)

    def handle_delete(self, sender, instance, origin=None, **kwargs):
        for label, pk in self._dependents(sender, instance):
            # The parent may be going too (a cascade): updating removes it then.
            self.update(label, pk)
        if self._indexed(sender):
            self.remove(sender._meta.label_lower, instance.pk)

    def handle_m2m(self, sender, instance, action, reverse, model, pk_set, **kwargs):
        """A guide's tags are part of its document: guide.tags.set() re-indexes the guide,
        tag.guide_set.add() the guides added."""
        if action not in M2M_ACTIONS:
            return
        if self._indexed(type(instance)):
            self.update(type(instance)._meta.label_lower, instance.pk)
        if reverse and pk_set and self._indexed(model):
            for pk in pk_set:
                self.update(model._meta.label_lower, pk)


class TransactionalSignalProcessor(QueuedSignalProcessor):
    def update(self, label: str, pk) -> None:
        from .services import index_object

        self._write_or_queue(index_object, queue_update, label, pk)

    def remove(self, label: str, pk) -> None:
        from .services import unindex_object

        self._write_or_queue(unindex_object, queue_remove, label, pk)

    @staticmethod
    def _write_or_queue(write, queue, label: str, pk) -> None:
        try:
            with transaction.atomic():  # a savepoint: a failure here leaves the content alone
                write(model_label=label, pk=pk)
        except Exception:
            logger.exception("Search index write failed for %s %s; queued a retry", label, pk)
            transaction.on_commit(lambda: queue(label, pk), robust=True)
