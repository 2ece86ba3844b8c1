"""Rebuild the search index from the database, showing progress, without an empty index in
between: haystack's rebuild_index clears the index and then fills it, committing each batch, so
searches find nothing (or part) until it is done; this clears and refills it in one transaction
that commits at the end (`update_search_index --replace`).

    manage.py rebuild_search_index --noinput
"""

from django.core.management import call_command
from haystack import connections
from haystack.management.commands.rebuild_index import Command as RebuildIndexCommand


class Command(RebuildIndexCommand):
    help = (
        "Rebuild the search index from the database, printing progress per batch; "
        "searches use the old index until the new one is complete."
    )

    def handle(self, **options):
        if options.get("verbosity", 1) == 1:
            options["verbosity"] = 2
        using = options.get("using") or list(connections.connections_info)
        if options.pop("interactive", True):
            self.stdout.write(
                f"This replaces the search index of {', '.join(using)} with one "
                "built from the database."
            )
            if not input("Are you sure you wish to continue? [y/N] ").lower().startswith("y"):
                self.stdout.write("No action taken.")
                return
        call_command("update_search_index", replace=True, **options)
