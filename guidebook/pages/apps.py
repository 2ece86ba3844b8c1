from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "guidebook.pages"
    label = "pages"
    verbose_name = "Pages"
