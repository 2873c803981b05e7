"""A multi-page form journey kept in the session, GOV.UK style.

Each step stores the raw data it was given; every form is rebuilt and validated again
on "Check your answers", so a draft can never submit data that no longer validates.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Step:
    name: str
    form_class: type
    title: str
    applies: Callable[[dict], bool] = field(default=lambda draft: True)
    hint: str = ""
    template: str = "services/request_help/step.html"


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
        return next((s for s in self.steps if s.name == name), None)

    def applicable(self):
        draft = self.draft
        return [s for s in self.steps if s.applies(draft)]

    def url(self, step):
        return reverse(self.url_name, args=[step.name])

    def form(self, step):
        """The step's form showing the saved answers (unbound: no errors on a GET)."""
        return step.form_class(initial=self.draft.get(step.name, {}))

    def bound_form(self, step):
        saved = self.draft.get(step.name)
        return step.form_class(data=saved) if saved is not None else None

    def save(self, step, post):
        form = step.form_class(data=post)
        if form.is_valid():
            raw = {name: post.get(name) for name in form.fields if post.get(name) not in (None, "")}
            self.session[self.key] = {**self.draft, step.name: raw}
        return form

    def first_incomplete(self):
        draft = self.draft
        return next((s for s in self.applicable() if s.name not in draft), None)

    def previous(self, step):
        steps = self.applicable()
        index = next((i for i, s in enumerate(steps) if s.name == step.name), 0)
        return steps[index - 1] if index > 0 else None

    def next_url(self, step, changing):
        missing = self.first_incomplete()
        if changing or missing is None:
            return self.url(missing) if missing else reverse(self.check_url_name)
        steps = self.applicable()
        index = next(i for i, s in enumerate(steps) if s.name == step.name)
        return (
            self.url(steps[index + 1]) if index + 1 < len(steps) else reverse(self.check_url_name)
        )

    def validated_forms(self):
        """(step, bound form) for every applicable step; the first invalid one ends the list."""
        result = []
        for step in self.applicable():
            form = self.bound_form(step)
            if form is None:
                break
            result.append((step, form))
            if not form.is_valid():
                break
        return result

    def clear(self):
        self.session.pop(self.key, None)
