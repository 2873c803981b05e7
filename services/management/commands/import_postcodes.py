"""Load postcodes from the ONS Postcode Directory or a GeoNames postal-code file."""

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError

from services.postcodes import (
    DEFAULT_BATCH_SIZE,
    FORMATS,
    ImportReport,
    PostcodeImportError,
    import_postcodes,
)

PROGRESS_EVERY = 100_000


def positive_int(value):
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Load postcodes from the ONS Postcode Directory CSV (columns pcds, lat, long, osward, "
        "doterm) or a GeoNames postal-code TSV. Running it again updates the postcodes in place."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The file to load, or - to read standard input (e.g. from unzip -p)."
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=sorted(FORMATS),
            help="The file's format; by default it is detected from the first line.",
        )
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Postcodes written per transaction (default {DEFAULT_BATCH_SIZE:,}).",
        )

    def handle(self, *args, file, fmt, batch_size, verbosity, **options):
        on_tty = self.stdout.isatty()
        progress = self.progress_on_tty if on_tty else None
        if verbosity >= 2 and not on_tty:
            progress = self.progress_lines
        self.next_progress = PROGRESS_EVERY
        self.progress_shown = False
        source = sys.stdin.buffer if file == "-" else file
        try:
            report = import_postcodes(source, fmt=fmt, batch_size=batch_size, progress=progress)
        except PostcodeImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if self.progress_shown:
                self.stdout.write("")
        style = self.style.WARNING if report.malformed else self.style.SUCCESS
        self.stdout.write(report.summary(), style_func=style)

    def progress_on_tty(self, report: ImportReport):
        # One line, rewritten in place.
        self.stdout.write(f"\r{report.rows_read:,} rows read", ending="")
        self.stdout.flush()
        self.progress_shown = True

    def progress_lines(self, report: ImportReport):
        # Batches are small; a log line per 100,000 rows is enough to see it move.
        if report.rows_read >= self.next_progress:
            self.stderr.write(f"{report.rows_read:,} rows read", style_func=lambda text: text)
            self.next_progress = (report.rows_read // PROGRESS_EVERY + 1) * PROGRESS_EVERY
