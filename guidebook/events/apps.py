from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "guidebook.events"
    label = "events"
    verbose_name = "Events"
