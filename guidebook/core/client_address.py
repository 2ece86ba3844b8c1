"""The client's address, as the platform's router saw it.

Behind a router every request comes from the router's address (REMOTE_ADDR), and the client's
address is in X-Forwarded-For. Only the entries the trusted proxies appended can be believed:
a client can send any X-Forwarded-For it likes, and each proxy appends the address that
connected to it. With TRUSTED_PROXY_COUNT = n, the client is the n-th entry from the right.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < hops:
        return remote  # not through every trusted proxy: REMOTE_ADDR is the client
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
