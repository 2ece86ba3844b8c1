from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guidebook.core"
    label = "core"
    verbose_name = "Guidebook"
