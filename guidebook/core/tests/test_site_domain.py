"""The Site row's domain, which reset e-mails, feeds and the sitemap link to, is configuration."""

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command

from .test_deployment import REAL_SECRET, manage

PRINT_DOMAIN = "from django.conf import settings; print(settings.SITE_DOMAIN)"


@pytest.mark.parametrize(
    ("env", "domain"),
    [
        ({}, "guidebook.example.com"),  # DEBUG unset, as app.json leaves it
        ({"DEBUG": "true"}, "guidebook.example.com"),
        ({"SITE_DOMAIN": "www.guidebook.example"}, "www.guidebook.example"),
    ],
)
def test_production_takes_the_domain_from_configuration_whatever_debug_says(env, domain):
    result = manage(
        "shell",
        "-c",
        PRINT_DOMAIN,
        SECRET_KEY=REAL_SECRET,
        ALLOWED_HOSTS="guidebook.example.com,other.example.com",
        SINGLE_MACHINE="true",
        **env,
    )
    assert result.stdout.split()[-1:] == [domain], result.stderr


def test_production_refuses_a_host_pattern_as_the_domain():
    result = manage(
        "check", SECRET_KEY=REAL_SECRET, ALLOWED_HOSTS=".example.com", SINGLE_MACHINE="true"
    )
    assert result.returncode != 0
    assert "You must set SITE_DOMAIN" in result.stderr


@pytest.mark.django_db
def test_every_migrate_brings_the_site_row_in_step(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(domain="localhost:8000")
    settings.SITE_DOMAIN = "guidebook.example.com"
    call_command("migrate", verbosity=0)
    assert Site.objects.get_current().domain == "guidebook.example.com"
