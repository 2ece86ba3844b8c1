"""The Celery application. Configuration lives in settings under the CELERY_ namespace, except
the task topology (exchange, queues, routes), which is built here from TASK_QUEUE_SUFFIX.

Tasks are not discovered here: Django imports every app's tasks module when it loads the apps
(guidebook.core.apps), so a task is registered in every process that runs Django (web, shell,
worker, tests), not only in workers.
"""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

TASK_KINDS = ("default", "images", "search")
# A suffixed (test run's) queue is dropped by RabbitMQ this long after its last use.
THROWAWAY_QUEUE_EXPIRES = 600

app = Celery("guidebook")
app.config_from_object("django.conf:settings", namespace="CELERY")


def task_topology(suffix: str = "") -> dict:
    """The seed's topic routing: one topic exchange `tasks`, a queue per kind of work bound by
    routing key, and routes from task names to those queues. A suffix makes throwaway,
    non-durable copies of all of them, for one test run."""
    throwaway = bool(suffix)
    exchange = Exchange(
        f"tasks{suffix}", type="topic", durable=not throwaway, auto_delete=throwaway
    )
    options = {"durable": False, "expires": THROWAWAY_QUEUE_EXPIRES} if throwaway else {}
    return {
        "task_queues": [
            Queue(f"{kind}{suffix}", exchange, routing_key=f"{kind}.#", **options)
            for kind in TASK_KINDS
        ],
        "task_default_queue": f"default{suffix}",
        "task_default_exchange": exchange.name,
        "task_default_exchange_type": "topic",
        "task_default_routing_key": "default.task",
        "task_routes": {
            "images.*": {"queue": f"images{suffix}", "routing_key": "images.renditions"},
            "search.*": {"queue": f"search{suffix}", "routing_key": "search.update"},
        },
    }


@app.on_after_configure.connect
def declare_task_topology(sender: Celery, **kwargs) -> None:
    from django.conf import settings

    sender.conf.update(task_topology(settings.TASK_QUEUE_SUFFIX))


@after_setup_logger.connect
@after_setup_task_logger.connect
def use_project_log_format(logger, **kwargs):
    """Give worker and task logs the same JSON lines (and syslog) as the web process."""
    from guidebook.core.logging import install_handlers

    install_handlers(logger)
