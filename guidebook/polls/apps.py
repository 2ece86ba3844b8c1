from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "guidebook.polls"
    label = "polls"
    verbose_name = "Polls"
