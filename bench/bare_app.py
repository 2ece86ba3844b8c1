"""The site's WSGI application plus one bare view, for bench/votes.py's baseline.

The bare view runs behind the same gunicorn, settings and middleware as the real pages, and does
no database work: the benchmark's ratio then isolates what voting itself costs.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


def _urlpatterns():
    from config.urls import urlpatterns

    return [path("bench/bare/", bare, name="bench-bare"), *urlpatterns]


urlpatterns = _urlpatterns()

# This module is the URLconf: the project's URLs with the bare view in front.
from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = __name__
