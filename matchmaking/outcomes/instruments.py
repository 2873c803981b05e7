"""The validated outcome questions, worded as published, and how each is scored.

Pure Python, no Django: the survey forms, the models' range constraints, the selectors and
the commissioners' statistics all read the items and the scoring rules from here, so a
question is worded, checked and scored in one place.

The wordings are marked with `gettext_noop` (so `makemessages` collects them) and
translated where they are shown: a published question must read the same in every page.

Sources of the wordings and scoring rules:

- ONS direct loneliness question, "How often do you feel lonely?" (ONS, "Measuring
  loneliness: guidance for use of the national indicators on surveys", 2018): five answers
  coded 1 (often/always) to 5 (never). "Often or always lonely" is answer 1.
- UCLA 3-item loneliness scale as the ONS recommends it (Hughes et al. 2004): three items,
  each answered "hardly ever or never" (1), "some of the time" (2) or "often" (3); the score
  is their sum, 3 (least lonely) to 9 (most lonely), and only when all three are answered.
- ONS personal well-being (ONS4): four questions answered 0–10; life satisfaction,
  worthwhile and happiness are reported as "low" 0–4, "medium" 5–6, "high" 7–8 and "very
  high" 9–10; anxiety (where lower is better) as "very low" 0–1, "low" 2–3, "medium" 4–5 and
  "high" 6–10. Each is reported on its own, never summed.
- ASCOF 1I social contact, from the Adult Social Care Survey question 8a: "Thinking about how
  much contact you've had with people you like, which of the following statements best
  describes your social situation?" The published survey has four answers; ASCOF counts the
  share who choose the first, "I have as much social contact as I want with people I like".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Mark a wording for translation without translating it here (no Django in this
    module); the page that shows it translates it."""
    return message


@dataclass(frozen=True)
class Option:
    """One published answer to a question and the code it is stored as."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question: the stored answer's name, its wording and its allowed answers.

    `options` lists labelled answers; a 0–10 scale has none, and `scale_low`/`scale_high`
    label its ends instead.
    """

    code: str
    question: str
    low: int
    high: int
    options: tuple[Option, ...] = ()
    scale_low: str = ""
    scale_high: str = ""

    def accepts(self, value: object) -> bool:
        """Whether `value` is an allowed answer (an int in range, not a bool)."""
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
        )


@dataclass(frozen=True)
class Instrument:
    """A published set of questions asked and scored together."""

    code: str
    name: str
    items: tuple[Item, ...]
    introduction: str = ""


OFTEN_ALWAYS = 1
LONELINESS_OPTIONS = (
    Option(1, gettext_noop("Often/always")),
    Option(2, gettext_noop("Some of the time")),
    Option(3, gettext_noop("Occasionally")),
    Option(4, gettext_noop("Hardly ever")),
    Option(5, gettext_noop("Never")),
)
ONS_LONELINESS = Instrument(
    code="ons_loneliness",
    name=gettext_noop("ONS direct measure of loneliness"),
    items=(
        Item(
            "lonely_how_often",
            gettext_noop("How often do you feel lonely?"),
            1,
            5,
            LONELINESS_OPTIONS,
        ),
    ),
)

UCLA_OPTIONS = (
    Option(1, gettext_noop("Hardly ever or never")),
    Option(2, gettext_noop("Some of the time")),
    Option(3, gettext_noop("Often")),
)
UCLA3 = Instrument(
    code="ucla3",
    name=gettext_noop("UCLA 3-item loneliness scale"),
    items=(
        Item(
            "ucla_lack_companionship",
            gettext_noop("How often do you feel that you lack companionship?"),
            1,
            3,
            UCLA_OPTIONS,
        ),
        Item("ucla_left_out", gettext_noop("How often do you feel left out?"), 1, 3, UCLA_OPTIONS),
        Item(
            "ucla_isolated",
            gettext_noop("How often do you feel isolated from others?"),
            1,
            3,
            UCLA_OPTIONS,
        ),
    ),
)
UCLA3_MIN, UCLA3_MAX = 3, 9

_NOT_AT_ALL = gettext_noop("not at all")
_COMPLETELY = gettext_noop("completely")
ONS4 = Instrument(
    code="ons4",
    name=gettext_noop("ONS personal well-being (ONS4)"),
    introduction=gettext_noop(
        "Next we would like to ask you four questions about your feelings on aspects of your "
        "life. There are no right or wrong answers. For each of these questions we would like "
        "you to give an answer on a scale of 0 to 10, where 0 is “not at all” and 10 is "
        "“completely”."
    ),
    items=(
        Item(
            "ons_life_satisfaction",
            gettext_noop("Overall, how satisfied are you with your life nowadays?"),
            0,
            10,
            scale_low=_NOT_AT_ALL,
            scale_high=_COMPLETELY,
        ),
        Item(
            "ons_worthwhile",
            gettext_noop(
                "Overall, to what extent do you feel that the things you do in your life are "
                "worthwhile?"
            ),
            0,
            10,
            scale_low=_NOT_AT_ALL,
            scale_high=_COMPLETELY,
        ),
        Item(
            "ons_happy",
            gettext_noop("Overall, how happy did you feel yesterday?"),
            0,
            10,
            scale_low=_NOT_AT_ALL,
            scale_high=_COMPLETELY,
        ),
        Item(
            "ons_anxious",
            gettext_noop(
                "On a scale where 0 is “not at all anxious” and 10 is “completely anxious”, "
                "overall, how anxious did you feel yesterday?"
            ),
            0,
            10,
            scale_low=gettext_noop("not at all anxious"),
            scale_high=gettext_noop("completely anxious"),
        ),
    ),
)
ONS4_MEASURES = ("life_satisfaction", "worthwhile", "happiness", "anxiety")

AS_MUCH_AS_I_WANT = 1
ASCOF_SOCIAL_CONTACT = Instrument(
    code="ascof_social_contact",
    name=gettext_noop("Social contact (Adult Social Care Outcomes Framework 1I)"),
    items=(
        Item(
            "ascof_social_contact",
            gettext_noop(
                "Thinking about how much contact you’ve had with people you like, which of the "
                "following statements best describes your social situation?"
            ),
            1,
            4,
            (
                Option(
                    1, gettext_noop("I have as much social contact as I want with people I like")
                ),
                Option(2, gettext_noop("I have adequate social contact with people")),
                Option(3, gettext_noop("I have some social contact with people, but not enough")),
                Option(
                    4,
                    gettext_noop(
                        "I have little social contact with people and feel socially isolated"
                    ),
                ),
            ),
        ),
    ),
)

# What each kind of survey asks: residents all four instruments, volunteers ONS4 only.
RESIDENT_INSTRUMENTS = (ONS_LONELINESS, UCLA3, ONS4, ASCOF_SOCIAL_CONTACT)
VOLUNTEER_INSTRUMENTS = (ONS4,)
ALL_INSTRUMENTS = RESIDENT_INSTRUMENTS
ITEMS = {item.code: item for instrument in ALL_INSTRUMENTS for item in instrument.items}


def items_of(instruments) -> tuple[Item, ...]:
    """The items of `instruments`, in the order they are asked."""
    return tuple(item for instrument in instruments for item in instrument.items)


def answer_errors(answers: Mapping[str, object], instruments) -> dict[str, str]:
    """Item code → why its answer is refused; empty when every answer may be stored.

    An unanswered item (missing or None) is allowed: people may skip a question. Anything
    else outside the published answers is refused, and so is an item `instruments` do not ask.
    """
    asked = {item.code: item for item in items_of(instruments)}
    errors = {}
    for code, value in answers.items():
        item = asked.get(code)
        if item is None:
            errors[code] = "not asked"
        elif value is not None and not item.accepts(value):
            errors[code] = f"must be a whole number from {item.low} to {item.high}"
    return errors


def _checked(answers: Mapping[str, object], code: str) -> int | None:
    value = answers.get(code)
    if value is None:
        return None
    if not ITEMS[code].accepts(value):
        raise ValueError(f"{code}={value!r} is not an allowed answer")
    return value  # type: ignore[return-value]


def ucla3_score(answers: Mapping[str, object]) -> int | None:
    """The UCLA-3 score, 3 (least lonely) to 9 (most lonely): the sum of its three items.

    None when any item is unanswered (a partial sum is not on the scale); ValueError when
    an answer is out of range.
    """
    values = [_checked(answers, item.code) for item in UCLA3.items]
    if any(value is None for value in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def ons4_scores(answers: Mapping[str, object]) -> dict[str, int | None]:
    """The four ONS personal well-being measures, each 0–10 or None if unanswered.

    Keys are `ONS4_MEASURES`. They are never summed: each is a measure of its own.
    """
    return dict(zip(ONS4_MEASURES, (_checked(answers, i.code) for i in ONS4.items), strict=True))


def ons4_band(measure: str, value: int | None) -> str | None:
    """The ONS threshold band of one ONS4 answer ("low", "medium", "high", "very high",
    or for anxiety "very low"…"high"), or None when unanswered."""
    if value is None:
        return None
    if not 0 <= value <= 10:
        raise ValueError(f"{measure}={value!r} is outside 0–10")
    if measure == "anxiety":
        bands = ((1, "very low"), (3, "low"), (5, "medium"), (10, "high"))
    elif measure in ONS4_MEASURES:
        bands = ((4, "low"), (6, "medium"), (8, "high"), (10, "very high"))
    else:
        raise ValueError(f"unknown ONS4 measure {measure!r}")
    return next(band for top, band in bands if value <= top)


def is_often_or_always_lonely(answers: Mapping[str, object]) -> bool | None:
    """Whether the direct question was answered "Often/always" (the ONS's "chronic
    loneliness" share); None when it was not answered."""
    value = _checked(answers, "lonely_how_often")
    return None if value is None else value == OFTEN_ALWAYS


def ascof_has_contact(answers: Mapping[str, object]) -> bool | None:
    """Whether the person has as much social contact as they want with people they like:
    the answer ASCOF 1I counts; None when not answered."""
    value = _checked(answers, "ascof_social_contact")
    return None if value is None else value == AS_MUCH_AS_I_WANT


def scores(answers: Mapping[str, object]) -> dict[str, object]:
    """Every score of a set of answers, by name: `ucla3`, `often_lonely`, `ascof_contact`
    and the four ONS4 measures (None where unanswered)."""
    return {
        "ucla3": ucla3_score(answers),
        "often_lonely": is_often_or_always_lonely(answers),
        "ascof_contact": ascof_has_contact(answers),
        **ons4_scores(answers),
    }
