"""The outcome instruments, scored against examples worked by hand from the published rules."""

import pytest

from matchmaking.outcomes import instruments as ins


def test_ons_direct_question_is_worded_and_coded_as_published():
    (item,) = ins.ONS_LONELINESS.items
    assert item.question == "How often do you feel lonely?"
    assert [(o.value, o.label) for o in item.options] == [
        (1, "Often/always"),
        (2, "Some of the time"),
        (3, "Occasionally"),
        (4, "Hardly ever"),
        (5, "Never"),
    ]


def test_ucla3_items_and_answers_are_worded_as_published():
    assert [item.question for item in ins.UCLA3.items] == [
        "How often do you feel that you lack companionship?",
        "How often do you feel left out?",
        "How often do you feel isolated from others?",
    ]
    for item in ins.UCLA3.items:
        assert [(o.value, o.label) for o in item.options] == [
            (1, "Hardly ever or never"),
            (2, "Some of the time"),
            (3, "Often"),
        ]


def test_ons4_asks_four_questions_from_0_to_10():
    assert [(i.code, i.low, i.high) for i in ins.ONS4.items] == [
        ("ons_life_satisfaction", 0, 10),
        ("ons_worthwhile", 0, 10),
        ("ons_happy", 0, 10),
        ("ons_anxious", 0, 10),
    ]
    assert ins.ONS4.items[0].question == "Overall, how satisfied are you with your life nowadays?"
    assert ins.ONS4.items[2].question == "Overall, how happy did you feel yesterday?"


def test_ascof_first_answer_is_the_one_ascof_counts():
    (item,) = ins.ASCOF_SOCIAL_CONTACT.items
    assert item.options[0].label == "I have as much social contact as I want with people I like"
    assert len(item.options) == 4  # the Adult Social Care Survey's four statements


@pytest.mark.parametrize(
    ("companionship", "left_out", "isolated", "score"),
    [
        (1, 1, 1, 3),  # hardly ever on all three: the least lonely score
        (3, 3, 3, 9),  # often on all three: the most lonely
        (2, 1, 3, 6),  # some of the time + hardly ever + often = 2 + 1 + 3
        (2, 2, 1, 5),
    ],
)
def test_ucla3_score_is_the_sum_of_its_items(companionship, left_out, isolated, score):
    answers = {
        "ucla_lack_companionship": companionship,
        "ucla_left_out": left_out,
        "ucla_isolated": isolated,
    }
    assert ins.ucla3_score(answers) == score


def test_ucla3_has_no_score_when_an_item_is_skipped():
    assert ins.ucla3_score({"ucla_lack_companionship": 3, "ucla_left_out": 3}) is None
    assert (
        ins.ucla3_score({"ucla_lack_companionship": 3, "ucla_left_out": 3, "ucla_isolated": None})
        is None
    )


@pytest.mark.parametrize("bad", [0, 4, -1, "2", 2.0, True])
def test_ucla3_refuses_an_answer_outside_the_scale(bad):
    with pytest.raises(ValueError):
        ins.ucla3_score({"ucla_lack_companionship": bad, "ucla_left_out": 1, "ucla_isolated": 1})


def test_ons4_scores_are_reported_one_by_one():
    answers = {"ons_life_satisfaction": 7, "ons_worthwhile": 8, "ons_happy": 0, "ons_anxious": 10}
    assert ins.ons4_scores(answers) == {
        "life_satisfaction": 7,
        "worthwhile": 8,
        "happiness": 0,
        "anxiety": 10,
    }
    assert ins.ons4_scores({"ons_happy": 5})["life_satisfaction"] is None
    with pytest.raises(ValueError):
        ins.ons4_scores({"ons_happy": 11})


@pytest.mark.parametrize(
    ("measure", "value", "band"),
    [
        ("life_satisfaction", 0, "low"),
        ("life_satisfaction", 4, "low"),
        ("life_satisfaction", 5, "medium"),
        ("worthwhile", 6, "medium"),
        ("happiness", 7, "high"),
        ("happiness", 8, "high"),
        ("happiness", 9, "very high"),
        ("anxiety", 0, "very low"),
        ("anxiety", 1, "very low"),
        ("anxiety", 2, "low"),
        ("anxiety", 3, "low"),
        ("anxiety", 5, "medium"),
        ("anxiety", 6, "high"),
        ("anxiety", 10, "high"),
    ],
)
def test_ons4_thresholds_are_the_ons_bands(measure, value, band):
    assert ins.ons4_band(measure, value) == band


def test_often_or_always_lonely_is_the_first_answer_only():
    assert ins.is_often_or_always_lonely({"lonely_how_often": 1}) is True
    assert ins.is_often_or_always_lonely({"lonely_how_often": 2}) is False
    assert ins.is_often_or_always_lonely({}) is None
    with pytest.raises(ValueError):
        ins.is_often_or_always_lonely({"lonely_how_often": 6})


def test_ascof_contact_is_the_first_statement_only():
    assert ins.ascof_has_contact({"ascof_social_contact": 1}) is True
    assert ins.ascof_has_contact({"ascof_social_contact": 2}) is False
    assert ins.ascof_has_contact({"ascof_social_contact": None}) is None


def test_answer_errors_refuse_out_of_range_and_unasked_items():
    errors = ins.answer_errors(
        {"ons_happy": 11, "lonely_how_often": 0, "ons_anxious": None, "ons_worthwhile": 10},
        ins.RESIDENT_INSTRUMENTS,
    )
    assert set(errors) == {"ons_happy", "lonely_how_often"}
    assert ins.answer_errors({"lonely_how_often": 1}, ins.VOLUNTEER_INSTRUMENTS) == {
        "lonely_how_often": "not asked"
    }


def test_every_score_of_a_worked_example():
    answers = {
        "lonely_how_often": 1,
        "ucla_lack_companionship": 3,
        "ucla_left_out": 2,
        "ucla_isolated": 3,
        "ons_life_satisfaction": 4,
        "ons_worthwhile": 6,
        "ons_happy": 3,
        "ons_anxious": 7,
        "ascof_social_contact": 3,
    }
    assert ins.scores(answers) == {
        "ucla3": 8,
        "often_lonely": True,
        "ascof_contact": False,
        "life_satisfaction": 4,
        "worthwhile": 6,
        "happiness": 3,
        "anxiety": 7,
    }


def test_the_ends_of_each_0_to_10_scale_are_labelled():
    life, *_, anxious = ins.ONS4.items
    assert (life.scale_low, life.scale_high) == ("not at all", "completely")
    assert (anxious.scale_low, anxious.scale_high) == ("not at all anxious", "completely anxious")
