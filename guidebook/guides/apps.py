from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guidebook.guides"
    label = "guides"
    verbose_name = "Guides"
