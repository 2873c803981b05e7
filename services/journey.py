"""A multi-page form journey kept in the session, GOV.UK style.

Each step stores the raw data it was given; every form is rebuilt and validated again
on "Check your answers", so a draft can never submit data that no longer validates.
A step's form may depend on earlier answers (`Step.form_kwargs`), take several values
for a field (checkboxes: kept as a list) and keep an uploaded file until the journey
ends (`Upload`).
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse


@dataclass(frozen=True)
class Upload:
    """A step's file field whose upload is kept in storage until the journey ends.

    The step's answers hold the stored file's name under `field`. The form shows the
    checkbox `remove_field` once a file is kept; ticking it discards the file.
    """

    field: str
    remove_field: str
    directory: str

    def _ours(self, answers):
        # Never open or delete a name that is not one this journey made.
        name = answers.get(self.field)
        pattern = rf"{re.escape(self.directory)}/[0-9a-f]{{32}}(\.\w+)?"
        return name if name and re.fullmatch(pattern, name) else None

    def stored(self, answers):
        """The kept file's storage name, or None if there is none (any more)."""
        name = self._ours(answers)
        return name if name and default_storage.exists(name) else None

    def open(self, answers):
        """A copy of the kept file to hand to a write function, or None."""
        name = self.stored(answers)
        if name is None:
            return None
        with default_storage.open(name, "rb") as stored:
            return ContentFile(stored.read(), name=self.field + PurePath(name).suffix)

    def keep(self, answers, cleaned_data):
        """The field's answer after a valid post: a new upload replaces the kept file."""
        upload = cleaned_data.get(self.field)
        if not upload and not cleaned_data.get(self.remove_field):
            name = self._ours(answers)
            return {self.field: name} if name else {}
        self.discard(answers)
        if not upload:
            return {}
        name = f"{self.directory}/{uuid.uuid4().hex}{PurePath(upload.name or '').suffix.lower()}"
        return {self.field: default_storage.save(name, upload)}

    def discard(self, answers):
        if name := self._ours(answers):
            default_storage.delete(name)

    def prune(self, *, stored_before):
        """Delete kept files stored before `stored_before`; returns how many.

        A journey abandoned mid-way never discards its file: it ends with the session.
        """
        try:
            _directories, files = default_storage.listdir(self.directory)
        except FileNotFoundError:
            return 0
        names = [f"{self.directory}/{filename}" for filename in files]
        stale = [name for name in names if default_storage.get_modified_time(name) < stored_before]
        for name in stale:
            default_storage.delete(name)
        return len(stale)


@dataclass(frozen=True)
class Step:
    name: str
    form_class: type
    title: str
    applies: Callable[[dict], bool] = field(default=lambda draft: True)
    hint: str = ""
    template: str = "services/request_help/step.html"
    # Extra arguments for the form, from the answers so far (e.g. the kind chosen earlier).
    form_kwargs: Callable[[dict], dict] = field(default=lambda draft: {})
    upload: Upload | None = None


def _typed_answers(form, post, skip=()):
    """What the person typed, JSON-serialisable, so the step can be validated again later.

    A field that takes several values (checkboxes) is kept as a list, even an empty one;
    Django's multiple-choice widgets read a list back from a plain dict.
    """
    answers = {}
    for name, form_field in form.fields.items():
        if name in skip:
            continue
        if getattr(form_field.widget, "allow_multiple_selected", False):
            answers[name] = post.getlist(name)
        elif post.get(name) not in (None, ""):
            answers[name] = post.get(name)
    return answers


class Journey:
    def __init__(self, *, session, key, steps, url_name, check_url_name):
        self.session = session
        self.key = key
        self.steps = steps
        self.url_name = url_name
        self.check_url_name = check_url_name

    @property
    def draft(self) -> dict[str, dict[str, Any]]:
        return self.session.get(self.key, {})

    def step(self, name):
        """The step called `name`, if it applies to the answers so far."""
        draft = self.draft
        return next((s for s in self.steps if s.name == name and s.applies(draft)), None)

    def applicable(self):
        draft = self.draft
        return [s for s in self.steps if s.applies(draft)]

    def url(self, step):
        return reverse(self.url_name, args=[step.name])

    def form(self, step):
        """The step's form showing the saved answers (unbound: no errors on a GET)."""
        draft = self.draft
        return step.form_class(initial=draft.get(step.name, {}), **step.form_kwargs(draft))

    def bound_form(self, step):
        draft = self.draft
        saved = draft.get(step.name)
        return step.form_class(data=saved, **step.form_kwargs(draft)) if saved is not None else None

    def save(self, step, post, files=None):
        draft = self.draft
        form = step.form_class(data=post, files=files, **step.form_kwargs(draft))
        if form.is_valid():
            upload = step.upload
            skip = (upload.field, upload.remove_field) if upload else ()
            answers = _typed_answers(form, post, skip)
            if upload:
                answers |= upload.keep(draft.get(step.name, {}), form.cleaned_data)
            self.session[self.key] = {**draft, step.name: answers}
        return form

    def validated(self):
        """(first step not answered or no longer valid, or None; [(step, valid bound form)])."""
        valid = []
        for step in self.applicable():
            form = self.bound_form(step)
            if form is None or not form.is_valid():
                return step, valid
            valid.append((step, form))
        return None, valid

    def blocking(self, step):
        """The first step to answer (again), if it comes before `step`: no skipping ahead."""
        to_answer, _ = self.validated()
        steps = self.applicable()
        return to_answer if to_answer and steps.index(to_answer) < steps.index(step) else None

    def previous(self, step):
        steps = self.applicable()
        index = next((i for i, s in enumerate(steps) if s.name == step.name), 0)
        return steps[index - 1] if index > 0 else None

    def next_url(self, step, *, skip_answered):
        """Where to go after `step` was answered: the next page in order or, with
        `skip_answered` or once every page is answered, the first one still to answer
        (or check your answers)."""
        to_answer, _ = self.validated()
        if skip_answered or to_answer is None:
            return self.url(to_answer) if to_answer else reverse(self.check_url_name)
        steps = self.applicable()
        index = next(i for i, s in enumerate(steps) if s.name == step.name)
        return (
            self.url(steps[index + 1]) if index + 1 < len(steps) else reverse(self.check_url_name)
        )

    def step_page(self, request, name, *, skip_answered, back_url=None, **context):
        """The GET or POST of one step page: the form, or a redirect to where to go next.

        `back_url` is where the first page's back link goes (none by default).
        """
        current = self.step(name)
        if current is None:
            raise Http404("No such step")
        if earlier := self.blocking(current):
            return redirect(self.url(earlier))
        if request.method == "POST":
            form = self.save(current, request.POST, request.FILES)
            if form.is_valid():
                return redirect(self.next_url(current, skip_answered=skip_answered))
        else:
            form = self.form(current)
        previous = self.previous(current)
        steps = self.applicable()
        context = {
            "step": current,
            "form": form,
            "back_url": self.url(previous) if previous else back_url,
            "step_number": steps.index(current) + 1,
            "step_count": len(steps),
            **context,
        }
        return render(request, current.template, context)

    def clear(self):
        """End the journey: forget the answers and discard any file kept for them."""
        draft = self.draft
        for step in self.steps:
            if step.upload:
                step.upload.discard(draft.get(step.name, {}))
        self.session.pop(self.key, None)
