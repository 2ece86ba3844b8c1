"""Keeping the index up to date without slowing a save: once the transaction commits, a task on
the search queue indexes (or removes) the object. A backend outage or a broker outage never
fails the save: the task retries, and a failure to queue it is logged (robust on_commit).
"""

import logging

from django.db import models, transaction
from haystack import connections
from haystack.exceptions import NotHandled
from haystack.signals import BaseSignalProcessor

logger = logging.getLogger(__name__)


def queue_update(model_label: str, pk) -> None:
    from .tasks import update_object

    update_object.delay(model_label, pk)


def queue_remove(model_label: str, pk) -> None:
    from .tasks import remove_object

    remove_object.delay(model_label, pk)


class QueuedSignalProcessor(BaseSignalProcessor):
    def setup(self):
        models.signals.post_save.connect(self.handle_save, dispatch_uid="search.queued_save")
        models.signals.post_delete.connect(self.handle_delete, dispatch_uid="search.queued_delete")

    def teardown(self):
        models.signals.post_save.disconnect(self.handle_save, dispatch_uid="search.queued_save")
        models.signals.post_delete.disconnect(
            self.handle_delete, dispatch_uid="search.queued_delete"
        )

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
        if raw:  # fixtures (loaddata) are indexed by rebuild_index, not one by one
            return
        targets = self._dependents(sender, instance)
        if self._indexed(sender):
            targets.append((sender._meta.label_lower, instance.pk))
        for label, pk in targets:
            transaction.on_commit(lambda label=label, pk=pk: queue_update(label, pk), robust=True)

    def handle_delete(self, sender, instance, origin=None, **kwargs):
        for label, pk in self._dependents(sender, instance):
            # The parent may be going too (a cascade): update_object removes it then.
            transaction.on_commit(lambda label=label, pk=pk: queue_update(label, pk), robust=True)
        if self._indexed(sender):
            label, pk = sender._meta.label_lower, instance.pk
            transaction.on_commit(lambda: queue_remove(label, pk), robust=True)
