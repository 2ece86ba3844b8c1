from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = (
        "Load demo content for local use: each installed app's demo.seed(), in INSTALLED_APPS "
        "order. Safe to run again: existing demo content is kept, not duplicated."
    )

    def handle(self, *args, **options):
        seeders = [
            import_module(f"{config.name}.demo")
            for config in apps.get_app_configs()
            if config.name.startswith("guidebook.") and module_has_submodule(config.module, "demo")
        ]
        for step, module in enumerate(seeders, start=1):
            self.stdout.write(f"[{step}/{len(seeders)}] {module.__name__}")
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
