from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "guidebook.jobs"
    label = "jobs"
    verbose_name = "Jobs"
