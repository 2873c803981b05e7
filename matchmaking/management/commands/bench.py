"""`manage.py bench <benchmark> [options]`: performance benchmarks on a throwaway database."""

from django.core.management.base import BaseCommand

from matchmaking.bench import allocation, scoring, web

# One subcommand per benchmark module (see matchmaking/bench/__init__.py).
BENCHMARKS = {
    "scoring": scoring,
    "allocation": allocation,
    "web": web,
}


class Command(BaseCommand):
    help = (
        "Run a benchmark in a fresh database (created, then dropped: existing data is never "
        "touched). The last line of output is the figures as JSON."
    )
    # Not on the command line: tests pass fresh_database=False to build the city inside their
    # own test database, where creating another one is not possible.
    stealth_options = ("fresh_database",)

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(
            dest="benchmark", metavar="BENCHMARK", required=True, title="benchmarks"
        )
        for name, module in BENCHMARKS.items():
            module.add_arguments(subparsers.add_parser(name, help=module.HELP))

    def handle(self, *args, benchmark, fresh_database=True, **options):
        BENCHMARKS[benchmark].run(options, write=self.stdout.write, fresh_database=fresh_database)
