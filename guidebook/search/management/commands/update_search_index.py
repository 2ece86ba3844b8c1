"""haystack's update_index, showing its progress and writing the whole run at once.

haystack prints a line per batch ("indexed 1 - 1000 of 20000") only at verbosity 2; this
command passes verbosity 2 unless told otherwise, and everything else through:

    manage.py update_search_index                 # every indexed model
    manage.py update_search_index polls --age 2   # polls published or changed in 2 hours
    manage.py update_search_index --replace       # a new index, swapped in when complete

On the database backend the whole run is one transaction (DatabaseSearchBackend.bulk): other
processes see the old index until it commits, and an error part-way writes nothing (run the
command again). With --workers (haystack's parallel processes) each batch is its own
transaction, as haystack writes them.
"""

from django.core.management.base import CommandError
from haystack.management.commands.update_index import Command as UpdateIndexCommand

from guidebook.search.services import bulk_writes


class Command(UpdateIndexCommand):
    help = "Update the search index, printing progress per batch (haystack's update_index)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Build a new index of everything and swap it in when complete "
            "(what rebuild_search_index does). Takes no app labels or dates.",
        )

    def handle(self, **options):
        if options.get("verbosity", 1) == 1:
            options["verbosity"] = 2
        replace = options.pop("replace", False)
        narrowed = [
            name
            for name in ("app_label", "age", "minutes", "start_date", "end_date")
            if options.get(name)
        ]
        if replace and narrowed:
            raise CommandError(
                "--replace rebuilds the whole index: leave out "
                + ", ".join(name.replace("_", " ") for name in narrowed)
                + "."
            )
        if options.get("workers"):
            if replace:
                raise CommandError("--replace writes from one process: leave out --workers.")
            return super().handle(**options)
        with bulk_writes(options.get("using"), replace=replace):
            return super().handle(**options)
