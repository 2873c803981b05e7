"""Pieces every Kith model admin shares: area scoping, area filters, actions that ask for a
reason or a date first, and CSV that spreadsheets cannot mistake for formulas."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.exceptions import TransitionError
from matchmaking import scoping


def parse_id(raw):
    """A database id from a query parameter, or None for anything else."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


class ScopedAdmin(admin.ModelAdmin):
    """Only rows in the areas the person works in, everywhere the admin reads rows.

    Change, delete and history pages, actions, autocomplete, raw-id pop-ups and exports all
    start from get_queryset, so an object outside the person's areas is "not found" there.
    `scope` is a scoping function taking (user, queryset).
    """

    scope = None
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return type(self).scope(request.user, super().get_queryset(request))


class NoRawEdits:
    """The change page shows the record; changes go through actions and their functions.

    The person may still hold the change permission (actions need it), so saving the form
    is refused here rather than by permissions.
    """

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)


# --- filters --------------------------------------------------------------------------------


class ScopedAreaFilter(admin.SimpleListFilter):
    """The areas the person works in (and only those) as filter choices."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        areas = scoping.areas_for_staff(request.user).order_by("name").values_list("pk", "name")
        return [(str(pk), name) for pk, name in areas]

    def area_id(self):
        return parse_id(self.value())

    def queryset(self, request, queryset):
        area_id = self.area_id()
        if area_id is None:
            return queryset
        return self.filter_area(queryset, area_id)

    def filter_area(self, queryset, area_id):
        raise NotImplementedError


def area_filter(in_areas):
    """A ScopedAreaFilter using a scoping function, e.g. scoping.needs_in_areas."""

    class AreaFilter(ScopedAreaFilter):
        def filter_area(self, queryset, area_id):
            return in_areas(queryset, frozenset([area_id]))

    return AreaFilter


# --- actions that ask first -----------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=240,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the audit trail.",
    )


class ExpiryForm(forms.Form):
    expires_at = forms.DateField(
        label="Valid until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if it does not expire.",
    )

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value is not None and value < timezone.localdate():
            raise ValidationError("The expiry date is in the past: this check is not valid.")
        return value


def apply_each(modeladmin, request, objects, apply, *, done):
    """Call `apply(obj)` for each object, one transaction each; report what was refused.

    `done` is a sentence with {n} for how many were changed.
    """
    changed = 0
    for obj in objects:
        try:
            apply(obj)
        except TransitionError as error:
            modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, done.format(n=changed), messages.SUCCESS)
    return changed


def asking_action(*, form_class, title, intro, button, apply, done, description, name):
    """An admin action that first shows a small form (a reason, a date), then applies.

    `apply(obj, user, cleaned_data)` does the work through the domain function; a refusal
    (TransitionError) becomes an error message naming the object.
    """

    def action(modeladmin, request, queryset):
        form = form_class(request.POST if "kith_apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            apply_each(
                modeladmin,
                request,
                queryset,
                lambda obj: apply(obj, request.user, form.cleaned_data),
                done=done,
            )
            return None
        objects = list(queryset[:21])
        context = {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": title,
            "intro": intro,
            "button": button,
            "form": form,
            "objects": objects[:20],
            "more": len(objects) > 20,
            "action": name,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/kith/action_form.html", context)

    action.__name__ = name
    return admin.action(description=description, permissions=["change"])(action)


# --- CSV ------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A cell a spreadsheet shows as text: no formula injection from names people typed."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def export_action(columns, filename):
    """An admin action writing the chosen rows (never more than the person may see) as CSV.

    `columns` is a list of (header, function of the object).
    """

    @admin.action(description="Export selected as CSV")
    def export_csv(modeladmin, request, queryset):
        return csv_response(
            filename,
            [header for header, _ in columns],
            ([get(obj) for _, get in columns] for obj in queryset),
        )

    return export_csv
