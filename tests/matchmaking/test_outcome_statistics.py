"""matchmaking.outcomes.statistics: the paired interval against worked references, and
small-number suppression."""

import math

import pytest
from scipy import stats

from matchmaking.outcomes import statistics as outcome_stats
from matchmaking.outcomes.statistics import (
    PairedChange,
    Share,
    Suppressed,
    paired_change,
    share,
    shares_before_after,
    t_quantile,
)


@pytest.mark.parametrize(
    ("df", "printed"),
    # Two-sided 95% critical values as printed in every t table.
    [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (19, 2.093), (29, 2.045), (120, 1.980)],
)
def test_t_quantile_matches_printed_tables(df, printed):
    assert t_quantile(0.975, df) == pytest.approx(printed, abs=5e-4)


@pytest.mark.parametrize("df", [1, 3, 4, 7, 15, 48, 200])
@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995])
def test_t_quantile_agrees_with_scipy(df, p):
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)
    assert t_quantile(1 - p, df) == pytest.approx(stats.t.ppf(1 - p, df), rel=1e-9)


def test_paired_change_worked_by_hand():
    # Differences 1, 2, 3, 4, 5: mean 3, s = √2.5, s/√5 = 0.70711, t(0.975, 4) = 2.77645,
    # so 3 ± 1.96324.
    pairs = [(4, 5), (6, 8), (3, 6), (5, 9), (2, 7)]
    change = paired_change(pairs)
    assert isinstance(change, PairedChange)
    assert change.people == 5
    assert change.baseline_mean == pytest.approx(4.0)
    assert change.follow_up_mean == pytest.approx(7.0)
    assert change.mean_change == pytest.approx(3.0)
    assert change.ci_low == pytest.approx(1.03676, abs=1e-5)
    assert change.ci_high == pytest.approx(4.96324, abs=1e-5)
    assert str(change) == "+3.00 (95% CI +1.04 to +4.96)"


def test_paired_change_agrees_with_scipy_paired_t_test():
    before = [6, 7, 5, 8, 9, 7, 6, 4, 7, 8, 5, 6]
    after = [5, 5, 5, 6, 7, 6, 6, 3, 4, 7, 5, 4]
    change = paired_change(zip(before, after, strict=True))
    reference = stats.ttest_rel(after, before).confidence_interval(0.95)
    assert (change.ci_low, change.ci_high) == pytest.approx(
        (reference.low, reference.high), rel=1e-9
    )
    assert change.mean_change < 0 and change.ci_high < 0  # fewer lonely: the score fell


def test_a_group_of_four_is_never_shown():
    four = [(5, 4), (6, 4), (7, 5), (8, 3)]
    assert paired_change(four) == Suppressed(outcome_stats.TOO_FEW)
    assert share(2, 4) == Suppressed(outcome_stats.TOO_FEW)
    assert outcome_stats.count(4) == Suppressed(outcome_stats.TOO_FEW)
    assert shares_before_after([(True, False)] * 4) == Suppressed(outcome_stats.TOO_FEW)
    # What a page or a CSV prints for it names the rule, never the number.
    text = outcome_stats.show(paired_change(four))
    assert text == "Not shown: fewer than 5 people"
    assert "4" not in text


def test_no_answers_is_not_a_zero():
    assert paired_change([]) == Suppressed(outcome_stats.NO_ANSWERS)
    assert share(0, 0) == Suppressed(outcome_stats.NO_ANSWERS)
    assert outcome_stats.count(0) == 0  # nobody: nothing to protect


def test_five_people_are_shown():
    assert share(2, 5) == Share(2, 5)
    assert str(share(2, 5)) == "40%"
    assert outcome_stats.count(5) == 5
    both = shares_before_after([(True, False), (True, True), (False, False)] + [(True, False)] * 2)
    assert (both.before.part, both.after.part, both.before.people) == (4, 1, 5)
    assert both.change == pytest.approx(-0.6)


def test_bad_shares_and_quantiles_are_refused():
    with pytest.raises(ValueError):
        share(6, 5)
    with pytest.raises(ValueError):
        t_quantile(1.0, 4)
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)


def test_identical_differences_give_a_zero_width_interval():
    change = paired_change([(3, 5)] * 6)
    assert change.mean_change == 2 and change.ci_low == change.ci_high == 2
    assert not math.isnan(change.ci_low)


def test_a_small_group_cannot_be_worked_out_from_the_total():
    # Total 16 = North 7 + East 5 + South 4: with East shown, South = 16 - 7 - 5.
    groups = {"North": 7, "East": 5, "South": 4}
    assert outcome_stats.also_withheld(groups, 16) == {"East"}
    # People in no group (3) already hide South among 7: nothing more to withhold.
    assert outcome_stats.also_withheld(groups, 19) == set()
    # Two small groups that together reach 5 protect each other.
    assert outcome_stats.also_withheld({"A": 9, "B": 2, "C": 3}, 14) == set()
    assert outcome_stats.also_withheld({"A": 9, "B": 6}, 15) == set()  # nobody small
    assert outcome_stats.also_withheld({"A": 3}, 3) == set()  # the total is withheld itself
