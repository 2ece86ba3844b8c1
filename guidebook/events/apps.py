from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "guidebook.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
