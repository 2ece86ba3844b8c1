from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "guidebook.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
