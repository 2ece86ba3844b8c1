from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guidebook.guides"
    label = "guides"
    verbose_name = "Guides"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
