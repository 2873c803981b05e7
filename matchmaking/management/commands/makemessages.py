"""Django's makemessages with Kith's defaults, so every run writes the same catalogue.

`manage.py makemessages -l cy` reads the code and templates the public side uses (not the
tests, static files or the staff admin's own templates), keeps file names but not line
numbers (a moved string does not change the catalogue) and drops obsolete entries.
"""

from django.core.management.commands import makemessages

IGNORED = [
    "tests/*",
    "static/*",
    "staticfiles/*",
    "media/*",
    "private-media/*",
    "templates/admin/*",
    "node_modules/*",
    "build/*",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        if options.get("add_location") is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
