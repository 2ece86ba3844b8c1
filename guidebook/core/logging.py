"""One JSON object per log line on stdout, and syslog when SYSLOG_ADDRESS is set.

Used by LOGGING in settings for the web process and by Celery's after_setup_logger signals for
workers, so every process writes the same lines.
"""

import logging
import logging.handlers
import socket

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter


class JsonLineFormatter(JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)


def syslog_handler() -> logging.Handler:
    """A SysLogHandler for SYSLOG_ADDRESS: "host:port" (UDP) or a socket path like /dev/log."""
    address: str | tuple[str, int] = settings.SYSLOG_ADDRESS
    if ":" in address and not address.startswith("/"):
        host, _, port = address.rpartition(":")
        address = (host, int(port))
    return logging.handlers.SysLogHandler(address=address, socktype=socket.SOCK_DGRAM)


def install_handlers(logger: logging.Logger) -> None:
    """Make a Celery logger write JSON lines, plus syslog when configured."""
    formatter = JsonLineFormatter()
    for handler in logger.handlers:
        handler.setFormatter(formatter)
    if settings.SYSLOG_ADDRESS and not any(
        isinstance(h, logging.handlers.SysLogHandler) for h in logger.handlers
    ):
        handler = syslog_handler()
        handler.setFormatter(formatter)
        logger.addHandler(handler)
