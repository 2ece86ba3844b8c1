"""The benchmarks' baseline: bare Django, none of our code. One view renders a 20-item template.

    gunicorn --config gunicorn.conf.py bench.bare_app:application

This module is its own settings module and URLconf: no installed apps, no middleware, no
database, the template loaded once through Django's cached loader. It is served by the same
gunicorn, gunicorn.conf.py and worker count as the site, in its own server, and the benchmarks
alternate between the two in one run (bench/pages.py, bench/votes.py).
"""

import os

from django.http import HttpResponse
from django.template import loader
from django.urls import path

DEBUG = False
SECRET_KEY = "bench-bare-app-not-a-secret"  # noqa: S105 - signs nothing
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict] = {}
USE_TZ = True
TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare</title></head>
<body><ul>
{% for item in items %}<li><a href="/guides/{{ item }}/">Item {{ item }}</a></li>{% endfor %}
</ul></body></html>"""
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [("django.template.loaders.locmem.Loader", {"bare.html": TEMPLATE})],
                )
            ]
        },
    }
]


def bare(request):
    return HttpResponse(loader.render_to_string("bare.html", {"items": range(20)}, request))


urlpatterns = [path("bench/bare/", bare, name="bench-bare")]

os.environ["DJANGO_SETTINGS_MODULE"] = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after the settings module is set

application = get_wsgi_application()
