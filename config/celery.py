"""The Celery application. Configuration lives in settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("guidebook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def use_project_log_format(logger, **kwargs):
    """Give worker and task logs the same JSON lines (and syslog) as the web process."""
    from guidebook.core.logging import install_handlers

    install_handlers(logger)
