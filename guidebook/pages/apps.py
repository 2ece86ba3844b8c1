from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "guidebook.pages"
    label = "pages"
    verbose_name = "Pages"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
