"""Weekly time windows: the one rule for several windows on a day.

A provider's availability and a weekly need are both lists of (weekday, start, end) windows,
several a day if need be ("08:00 to 10:00 and 17:00 to 19:00"). Two windows on one day that
overlap or meet are refused rather than merged: the person meant something, and a silent
merge would store times they never typed. The web forms, the API and the write functions all
ask `window_clash`, so they refuse the same things with the same words.
"""

import itertools

from django.utils.translation import gettext

from accounts.constants import Weekday


def window_clash(slots):
    """The first two windows on one day that overlap or meet, earlier first, or None.

    `slots` are (weekday, start, end) triples with start < end (times or minutes alike).
    """
    ordered = sorted(slots, key=lambda slot: (slot[0], slot[1], slot[2]))
    for first, second in itertools.pairwise(ordered):
        # Sorted by start: if any later window reaches back into `first`, the next one does.
        if first[0] == second[0] and second[1] <= first[2]:
            return first, second
    return None


def clash_message(first, second) -> str:
    """What to tell the person about two clashing windows (as `window_clash` returns them)."""
    day = Weekday(first[0]).label
    times = {
        "day": day,
        "first": f"{first[1]:%H:%M} to {first[2]:%H:%M}",
        "second": f"{second[1]:%H:%M} to {second[2]:%H:%M}",
    }
    if second[1] < first[2]:
        return (
            gettext("The times on %(day)s overlap (%(first)s and %(second)s). Change one of them")
            % times
        )
    joined = f"{first[1]:%H:%M} to {max(first[2], second[2]):%H:%M}"
    return gettext(
        "The times on %(day)s run into each other (%(first)s and %(second)s). "
        "Enter them as one time, %(joined)s"
    ) % {**times, "joined": joined}
