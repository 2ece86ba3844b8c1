from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    """Feeds and sitemaps build absolute links from the Site row: give it our name and domain
    (SITE_DOMAIN; editable later under Sites in the admin)."""
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": "Guidebook"}
    )


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
