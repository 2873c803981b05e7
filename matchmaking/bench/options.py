"""Argument types shared by the benchmarks' parsers."""

import argparse


def positive_int(text: str) -> int:
    """A whole number of 1 or more; anything else is a usage error, not a traceback."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number.") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}.")
    return value
