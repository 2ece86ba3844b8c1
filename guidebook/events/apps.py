from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "guidebook.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from . import fragments, signal_handlers  # noqa: F401 - fragments registers itself

        signal_handlers.connect()
