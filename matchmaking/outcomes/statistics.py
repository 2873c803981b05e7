"""Figures for commissioners from outcome answers, with small numbers withheld.

Pure Python and no Django: the dashboard, its CSV exports and the API all build their cells
here, so none of them can show a figure the others would withhold.

Statistical disclosure control: no cell built from fewer than `MIN_PEOPLE` people is shown
or exported. Such a cell is a `Suppressed` value that says why, never the number.

The confidence interval of a paired change is the paired t interval: the mean of the
differences ± t(0.975, n − 1) × s / √n. The t quantile is computed here (the regularised
incomplete beta function, inverted by bisection) rather than with SciPy, which is only a
development dependency; the tests compare it with SciPy and with printed tables.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_PEOPLE = 5
CONFIDENCE = 0.95

TOO_FEW = "fewer than 5 people"
NO_ANSWERS = "no answers yet"
SUPPRESSION_NOTE = (
    "Figures built from fewer than 5 people are not shown or exported, so that nobody can be "
    "recognised from them (statistical disclosure control)."
)


@dataclass(frozen=True)
class Suppressed:
    """A cell that is not shown, and why. It never carries the number of people."""

    reason: str

    def __str__(self) -> str:
        return f"Not shown: {self.reason}"

    @property
    def suppressed(self) -> bool:
        return True


SUPPRESSED_TOO_FEW = Suppressed(TOO_FEW)
SUPPRESSED_NO_ANSWERS = Suppressed(NO_ANSWERS)
WOULD_REVEAL = "it would let a group of fewer than 5 people be worked out"
SUPPRESSED_WOULD_REVEAL = Suppressed(WOULD_REVEAL)


def withheld(people: int) -> Suppressed | None:
    """The suppression for a cell built from `people` people, or None when it may be shown."""
    if people <= 0:
        return SUPPRESSED_NO_ANSWERS
    if people < MIN_PEOPLE:
        return SUPPRESSED_TOO_FEW
    return None


def also_withheld(people_by_group: dict, total: int) -> set:
    """The groups to withhold as well, so that no group of 1 to 4 people can be worked out by
    subtracting the groups shown from the total (secondary suppression).

    `people_by_group` are the groups of one breakdown (they do not overlap); `total` is the
    figure shown for everybody, which may include people in none of the groups. While the
    withheld groups and those people together number 1 to 4, the smallest group still shown
    is withheld too.
    """
    withheld_groups = {group for group, n in people_by_group.items() if 0 < n < MIN_PEOPLE}
    if not withheld_groups:
        return set()
    outside = total - sum(people_by_group.values())
    extra = set()
    while 0 < sum(people_by_group[g] for g in withheld_groups | extra) + outside < MIN_PEOPLE:
        shown = [g for g, n in people_by_group.items() if n and g not in withheld_groups | extra]
        if not shown:
            break  # then the total itself is under 5, and withheld
        extra.add(min(shown, key=lambda g: people_by_group[g]))
    return extra


def count(people: int) -> int | Suppressed:
    """A head count: shown from 5 up; 1 to 4 withheld. Zero is shown (it discloses nobody)."""
    if people == 0:
        return 0
    return withheld(people) or people


@dataclass(frozen=True)
class Share:
    """`part` of `people` (people ≥ 5)."""

    part: int
    people: int

    @property
    def value(self) -> float:
        return self.part / self.people

    def __str__(self) -> str:
        return f"{self.value * 100:.0f}%"


def share(part: int, people: int) -> Share | Suppressed:
    """The share `part / people`, withheld when fewer than 5 people make it up."""
    if part < 0 or part > people:
        raise ValueError("A share's part must be between 0 and the number of people.")
    return withheld(people) or Share(part, people)


@dataclass(frozen=True)
class PairedChange:
    """Mean before and after over the same people, the mean change and its interval."""

    people: int
    baseline_mean: float
    follow_up_mean: float
    mean_change: float
    ci_low: float
    ci_high: float
    confidence: float = CONFIDENCE

    def __str__(self) -> str:
        return (
            f"{self.mean_change:+.2f} ({self.confidence * 100:.0f}% CI "
            f"{self.ci_low:+.2f} to {self.ci_high:+.2f})"
        )


def paired_change(
    pairs: Iterable[tuple[float, float]], *, confidence: float = CONFIDENCE
) -> PairedChange | Suppressed:
    """The paired change over (baseline, follow-up) scores of the same people.

    The interval is the paired t interval; withheld when fewer than 5 people answered both.
    """
    pairs = list(pairs)
    people = len(pairs)
    suppressed = withheld(people)
    if suppressed:
        return suppressed
    before = [float(b) for b, _ in pairs]
    after = [float(a) for _, a in pairs]
    differences = [a - b for b, a in zip(before, after, strict=True)]
    low, high = mean_interval(differences, confidence=confidence)
    return PairedChange(
        people=people,
        baseline_mean=statistics.fmean(before),
        follow_up_mean=statistics.fmean(after),
        mean_change=statistics.fmean(differences),
        ci_low=low,
        ci_high=high,
        confidence=confidence,
    )


def mean_interval(values: Sequence[float], *, confidence: float = CONFIDENCE):
    """The t interval (low, high) for the mean of `values` (at least two)."""
    if len(values) < 2:
        raise ValueError("An interval needs at least two values.")
    mean = statistics.fmean(values)
    half_width = t_quantile(0.5 + confidence / 2, len(values) - 1) * (
        statistics.stdev(values) / math.sqrt(len(values))
    )
    return mean - half_width, mean + half_width


@dataclass(frozen=True)
class SharesBeforeAfter:
    before: Share
    after: Share

    @property
    def change(self) -> float:
        return self.after.value - self.before.value


def shares_before_after(flags: Iterable[tuple[bool, bool]]) -> SharesBeforeAfter | Suppressed:
    """Of the people answering both times, the share with the flag before and after."""
    flags = list(flags)
    suppressed = withheld(len(flags))
    if suppressed:
        return suppressed
    return SharesBeforeAfter(
        before=Share(sum(1 for before, _ in flags if before), len(flags)),
        after=Share(sum(1 for _, after in flags if after), len(flags)),
    )


def show(value, digits: int = 2) -> str:
    """The text a page or a CSV cell shows for a figure."""
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


# --- Student's t distribution ---------------------------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method for the continued fraction of the incomplete beta function.
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * regularised_beta(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t such that P(T ≤ t) = p, by bisection (to about 1e-12)."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1.")
    if df <= 0:
        raise ValueError("The degrees of freedom must be more than 0.")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2
