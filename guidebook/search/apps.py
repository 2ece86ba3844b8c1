from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "guidebook.search"
    label = "search"
    verbose_name = "Search"
