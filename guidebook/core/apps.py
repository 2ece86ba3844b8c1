from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "guidebook.core"
    label = "core"
    verbose_name = "Guidebook"

    def ready(self):
        # Register every app's Celery tasks in every process, as the admin registers its
        # modules: Celery's own autodiscovery runs only when a worker starts, and a web process
        # that starts a task by name (in-process, without a broker) would not find it.
        autodiscover_modules("tasks")

        from . import signal_handlers

        signal_handlers.connect(self)
