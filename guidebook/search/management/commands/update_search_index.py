"""haystack's update_index, showing its progress by default.

haystack prints a line per batch ("indexed 1 - 1000 of 20000") only at verbosity 2; this
command passes verbosity 2 unless told otherwise, and everything else through:

    manage.py update_search_index                 # every indexed model
    manage.py update_search_index polls --age 2   # polls published or changed in 2 hours
"""

from haystack.management.commands.update_index import Command as UpdateIndexCommand


class Command(UpdateIndexCommand):
    help = "Update the search index, printing progress per batch (haystack's update_index)."

    def handle(self, **options):
        if options.get("verbosity", 1) == 1:
            options["verbosity"] = 2
        return super().handle(**options)
