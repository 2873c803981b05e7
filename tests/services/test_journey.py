"""The session journey engine on its own: answers kept as typed, forms built from earlier
answers, several values for one field, and an upload kept until the journey ends."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse

from services.journey import Journey, Step, Upload

SHADES = {"red": [("crimson", "Crimson"), ("rose", "Rose")], "blue": [("navy", "Navy")]}


class ColourForm(forms.Form):
    colour = forms.ChoiceField(choices=[("red", "Red"), ("blue", "Blue")])


class ShadesForm(forms.Form):
    shades = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    extras = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, choices=[("gloss", "Gloss")], required=False
    )

    def __init__(self, *args, colour, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shades"].choices = SHADES[colour]


class NoteForm(forms.Form):
    note = forms.CharField()
    picture = forms.FileField(required=False)

    def __init__(self, *args, has_picture=False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_picture:
            self.fields["remove_picture"] = forms.BooleanField(required=False)


PICTURE = Upload(field="picture", remove_field="remove_picture", directory="journey-drafts")
STEPS = [
    Step("colour", ColourForm, "Colour"),
    Step(
        "shades",
        ShadesForm,
        "Shades",
        form_kwargs=lambda draft: {"colour": draft.get("colour", {}).get("colour")},
    ),
    Step(
        "note",
        NoteForm,
        "Note",
        form_kwargs=lambda draft: {"has_picture": bool(draft.get("note", {}).get("picture"))},
        upload=PICTURE,
    ),
]


@pytest.fixture
def journey():
    return Journey(
        session={},
        key="test",
        steps=STEPS,
        url_name="providers:step",
        check_url_name="providers:check",
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post(query):
    return QueryDict(query)


def url(name):
    return reverse("providers:step", args=[name])


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def picture():
    return SimpleUploadedFile("Me.PNG", b"not really a png", content_type="image/png")


def answer_all(journey):
    journey.save(journey.step("colour"), post("colour=red"))
    journey.save(journey.step("shades"), post("shades=crimson&shades=rose"))
    journey.save(journey.step("note"), post("note=hello"))


def test_several_values_for_one_field_are_kept_as_a_list_and_validate_again(journey):
    journey.save(journey.step("colour"), post("colour=red"))

    form = journey.save(journey.step("shades"), post("shades=crimson&shades=rose"))

    assert form.is_valid()
    # An optional checkbox list left empty is kept as an empty list, not dropped.
    assert journey.draft["shades"] == {"shades": ["crimson", "rose"], "extras": []}
    to_answer, validated = journey.validated()
    assert to_answer == journey.step("note")
    assert [(step.name, form.cleaned_data) for step, form in validated][1] == (
        "shades",
        {"shades": ["crimson", "rose"], "extras": []},
    )
    # Shown again on its page, both boxes ticked.
    html = str(journey.form(journey.step("shades")))
    assert html.count("checked") == 2


def test_a_form_is_built_from_earlier_answers_and_an_invalid_answer_is_asked_again(journey):
    answer_all(journey)
    assert journey.validated()[0] is None

    # Blue has no crimson: the shades chosen for red no longer stand.
    journey.save(journey.step("colour"), post("colour=blue"))

    shades = journey.step("shades")
    assert journey.validated()[0] == shades
    assert journey.blocking(journey.step("note")) == shades
    assert journey.blocking(shades) is None
    assert journey.next_url(journey.step("colour"), skip_answered=False) == url("shades")
    assert [c[0] for c in journey.form(shades).fields["shades"].choices] == ["navy"]


def test_next_goes_on_in_order_unless_skipping_to_the_first_unanswered_step(journey):
    journey.save(journey.step("colour"), post("colour=red"))
    journey.save(journey.step("shades"), post("shades=rose"))
    colour = journey.step("colour")

    # Back to the first page and on again: the next page, already answered, comes next...
    assert journey.next_url(colour, skip_answered=False) == url("shades")
    # ...unless the person came to change an answer: then the first page still to answer.
    assert journey.next_url(colour, skip_answered=True) == url("note")

    journey.save(journey.step("note"), post("note=hi"))

    # With every page answered, both lead back to check your answers.
    check = reverse("providers:check")
    assert journey.next_url(colour, skip_answered=False) == check
    assert journey.next_url(colour, skip_answered=True) == check


def test_an_upload_is_kept_replaced_removed_and_discarded_at_the_end(journey, media):
    answer_all(journey)
    note = journey.step("note")

    journey.save(note, post("note=hello"), {"picture": picture()})
    [first] = stored_files(media)
    assert first.startswith("journey-drafts/") and first.endswith(".png")
    assert journey.draft["note"] == {"note": "hello", "picture": first}
    assert "remove_picture" in journey.form(note).fields

    # Saving the page again without a new file keeps the one there is.
    journey.save(note, post("note=changed"))
    assert PICTURE.stored(journey.draft["note"]) == first
    assert PICTURE.open(journey.draft["note"]).name == "picture.png"

    journey.save(note, post("note=hello"), {"picture": picture()})
    [second] = stored_files(media)
    assert second != first

    journey.save(note, post("note=hello&remove_picture=on"))
    assert stored_files(media) == []
    assert journey.draft["note"] == {"note": "hello"}

    journey.save(note, post("note=hello"), {"picture": picture()})
    journey.clear()
    assert stored_files(media) == []
    assert journey.draft == {}


def test_a_kept_file_name_that_the_journey_did_not_make_is_never_touched(journey, media):
    (media / "precious.txt").write_text("keep me")
    answer_all(journey)
    journey.session["test"]["note"]["picture"] = "precious.txt"

    assert PICTURE.stored(journey.draft["note"]) is None
    journey.save(journey.step("note"), post("note=x&remove_picture=on"))
    journey.clear()

    assert stored_files(media) == ["precious.txt"]


def test_a_step_that_does_not_apply_is_not_a_step(journey):
    only_red = Step("gloss", ColourForm, "Gloss", applies=lambda draft: "colour" in draft)
    journey.steps = [*STEPS, only_red]

    assert journey.step("gloss") is None
    assert journey.step("nonsense") is None
    journey.save(journey.step("colour"), post("colour=red"))
    assert journey.step("gloss") == only_red
