from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guidebook.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
