"""haystack's rebuild_index (clear, then update), showing its progress by default: haystack
prints a line per batch only at verbosity 2.

    manage.py rebuild_search_index --noinput
"""

from haystack.management.commands.rebuild_index import Command as RebuildIndexCommand


class Command(RebuildIndexCommand):
    help = "Empty and rebuild the search index, printing progress per batch."

    def handle(self, **options):
        if options.get("verbosity", 1) == 1:
            options["verbosity"] = 2
        return super().handle(**options)
