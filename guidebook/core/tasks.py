import socket

from celery import shared_task
from django.db import connection


@shared_task(name="core.ping")
def ping() -> dict[str, str]:
    """Answer from the worker with its host name and its database's vendor: proves both work."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": socket.gethostname(), "database": connection.vendor}
