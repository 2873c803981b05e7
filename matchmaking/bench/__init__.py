"""Benchmarks run by `manage.py bench <name>`, one module each.

A benchmark module has HELP, `add_arguments(parser)` and `run(options, *, write,
fresh_database=True)`, and is registered in the command (matchmaking/management/commands/
bench.py). `city.build_city` builds the synthetic city and `database.fresh_database` the
throwaway database it goes into; both are shared.
"""
