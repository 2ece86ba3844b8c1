from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "guidebook.polls"
    label = "polls"
    verbose_name = "Polls"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
