"""`{{ match|choice_label:"status" }}`: what `match.get_status_display` shows, without its cost.

Django's get_FOO_display builds a dict of the field's choices on every call, hashing each
translated label (a translation lookup per choice): 0.1 ms for a match's status, for every
row of a list. Here each field's choices are listed once per process, by value; only the one
label shown is translated.
"""

from functools import cache

from django import template
from django.utils.encoding import force_str

register = template.Library()


@cache
def _labels(model, field_name):
    return dict(model._meta.get_field(field_name).flatchoices)


@register.filter
def choice_label(obj, field_name):
    value = getattr(obj, field_name)
    try:
        label = _labels(type(obj), field_name).get(value, value)
    except TypeError:  # an unhashable value: as Django would show it
        return getattr(obj, f"get_{field_name}_display")()
    return force_str(label, strings_only=True)
