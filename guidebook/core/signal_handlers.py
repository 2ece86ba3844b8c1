from django.conf import settings
from django.contrib.sites.models import Site
from django.db.models.signals import post_migrate


def sync_site_domain(sender, using="default", **kwargs):
    """Keep the Site row's domain (reset e-mails, feeds, the sitemap) equal to SITE_DOMAIN after
    every migrate, so that each release brings it in step with the configuration."""
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN},
        create_defaults={"domain": settings.SITE_DOMAIN, "name": "Guidebook"},
    )


def connect(app_config) -> None:
    post_migrate.connect(sync_site_domain, sender=app_config, dispatch_uid="core.sync_site_domain")
