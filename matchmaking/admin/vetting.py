"""Vetting in the admin: providers and their checks, scoped to the areas staff work in.

Every decision goes through accounts.vetting (suspension through matchmaking.safeguarding,
which also cancels live matches); the records themselves are read-only here. Looking at a
provider's checks (DBS certificate numbers) is recorded as an access in the audit trail.
"""

import datetime

from auditlog.signals import accessed
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts import documents, vetting
from accounts.constants import CheckKind, CheckStatus, DbsStatusResult
from accounts.exceptions import TransitionError
from accounts.models import Availability, Check, CheckDocument, ProviderProfile, TimeAway
from matchmaking import safeguarding, scoping
from matchmaking.admin.common import (
    ExpiryForm,
    NoRawEdits,
    ReasonForm,
    ScopedAdmin,
    apply_each,
    area_filter,
    asking_action,
    export_action,
    parse_id,
)
from services.models import Category, Postcode

EXPIRY_SOON_DAYS = 30


# --- filters --------------------------------------------------------------------------------


def _missing_required_check(today):
    """Q: the provider has a skill whose category requires a check they do not hold, verified
    and in date. One EXISTS pair per check kind; the categories are read once."""
    needing = {}
    for category_id, kinds in Category.objects.values_list("pk", "required_checks"):
        for kind in kinds or ():
            needing.setdefault(kind, []).append(category_id)
    skills = Category.providers.through.objects.filter(providerprofile_id=OuterRef("pk"))
    valid = Check.objects.valid_on(today).filter(provider=OuterRef("pk")).order_by()
    missing = Q(pk__in=[])
    for kind, category_ids in sorted(needing.items()):
        missing |= Q(Exists(skills.filter(category_id__in=category_ids))) & ~Q(
            Exists(valid.filter(kind=kind))
        )
    return missing


class MissingChecksFilter(admin.SimpleListFilter):
    title = "checks for their skills"
    parameter_name = "checks"

    def lookups(self, request, model_admin):
        return [("missing", "Missing a required check"), ("complete", "Every required check")]

    def queryset(self, request, queryset):
        if self.value() not in ("missing", "complete"):
            return queryset
        missing = _missing_required_check(timezone.localdate())
        return queryset.filter(missing) if self.value() == "missing" else queryset.exclude(missing)


def _expiry_q(value, today, prefix=""):
    soon = today + datetime.timedelta(days=EXPIRY_SOON_DAYS)
    verified = {f"{prefix}status": CheckStatus.VERIFIED}
    if value == "soon":
        return Q(**verified, **{f"{prefix}expires_at__range": (today, soon)})
    if value == "expired":
        return Q(**verified, **{f"{prefix}expires_at__lt": today})
    return None


EXPIRY_CHOICES = [
    ("soon", f"Expires within {EXPIRY_SOON_DAYS} days"),
    ("expired", "Has expired"),
]


class ProviderExpiryFilter(admin.SimpleListFilter):
    title = "check expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return EXPIRY_CHOICES

    def queryset(self, request, queryset):
        condition = _expiry_q(self.value(), timezone.localdate())
        if condition is None:
            return queryset
        checks = Check.objects.filter(condition, provider=OuterRef("pk")).order_by()
        return queryset.filter(Exists(checks))


class CheckExpiryFilter(ProviderExpiryFilter):
    def queryset(self, request, queryset):
        condition = _expiry_q(self.value(), timezone.localdate())
        return queryset if condition is None else queryset.filter(condition)


class UnseenDocumentsFilter(admin.SimpleListFilter):
    """Checks with a document sent since their last decision (CheckAdmin annotates it)."""

    title = "documents"
    parameter_name = "documents"

    def lookups(self, request, model_admin):
        return [("unseen", "New documents to look at")]

    def queryset(self, request, queryset):
        return queryset.filter(has_unseen_documents=True) if self.value() == "unseen" else queryset


class StatusCheckDueFilter(admin.SimpleListFilter):
    """DBS checks on the Update Service whose last status check is too old (CheckAdmin
    annotates `last_status_check`)."""

    title = "DBS status check"
    parameter_name = "status_check"

    def lookups(self, request, model_admin):
        return [("due", "Status check due")]

    def queryset(self, request, queryset):
        if self.value() != "due":
            return queryset
        return queryset.filter(status_check_due=True)


# --- providers ------------------------------------------------------------------------------


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0
    can_delete = False
    fields = ["weekday", "starts_at", "ends_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TimeAwayInline(admin.TabularInline):
    """Dates the provider is away, as they entered them (the engine leaves them out then)."""

    model = TimeAway
    extra = 0
    can_delete = False
    fields = ["starts_on", "ends_on", "note", "created_at"]
    readonly_fields = fields
    verbose_name = "dates away"
    verbose_name_plural = "dates away"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckInline(admin.TabularInline):
    """The provider's checks, read-only; each links to its verify-or-reject page."""

    model = Check
    extra = 0
    can_delete = False
    fields = ["kind", "status", "reference", "expires_at", "verified_by", "verified_at", "decide"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Decision")
    def decide(self, check):
        url = reverse("admin:accounts_check_decide", args=[check.pk])
        return format_html('<a href="{}">Verify or reject</a>', url)


def _suspend(provider, actor, data):
    # Not vetting.provider_set_status: suspension also cancels the provider's live matches.
    safeguarding.provider_suspend(provider=provider, actor=actor, reason=data["reason"])


def _status_action(action, description, done):
    @admin.action(description=description, permissions=["change"])
    def run(modeladmin, request, queryset):
        apply_each(
            modeladmin,
            request,
            queryset,
            lambda provider: vetting.provider_set_status(
                profile=provider, action=action, actor=request.user
            ),
            done=done,
        )

    run.__name__ = f"{action}_providers"
    return run


def _area_name():
    return Subquery(
        Postcode.objects.filter(code=OuterRef("home_postcode")).values("area__name")[:1]
    )


class ProviderProfileAdmin(NoRawEdits, ScopedAdmin):
    scope = staticmethod(scoping.providers_for_staff)
    list_display = [
        "user",
        "kind",
        "status",
        "home_postcode",
        "area_name",
        "capacity",
        "created_at",
    ]
    list_filter = [
        "status",
        MissingChecksFilter,
        ProviderExpiryFilter,
        "kind",
        area_filter(scoping.providers_in_areas),
    ]
    list_select_related = ["user"]
    search_fields = [
        "user__email",
        "user__full_name",
        "user__first_name",
        "user__last_name",
        "home_postcode",
    ]
    ordering = ["-created_at"]
    fields = [
        "user",
        "kind",
        "status",
        "status_changed_at",
        "pause_reason",
        "bio",
        "languages",
        "skill_names",
        "home_postcode",
        "area_name",
        "travel_radius_km",
        "capacity",
        "photo",
        "rating_count",
        "rating_sum",
        "offers_received",
        "offers_accepted",
        "matches_completed",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [CheckInline, AvailabilityInline, TimeAwayInline]
    actions = [
        _status_action("activate", "Activate selected providers", "{n} activated."),
        _status_action("reject", "Reject selected applications", "{n} rejected."),
        asking_action(
            name="suspend_providers",
            description="Suspend selected providers",
            title="Suspend providers",
            intro=(
                "Suspended providers get no new offers, and each of their live matches is "
                "cancelled and offered to someone else."
            ),
            button="Suspend",
            form_class=ReasonForm,
            apply=_suspend,
            done="{n} suspended.",
        ),
        _status_action("reinstate", "Reinstate selected providers", "{n} reinstated."),
        export_action(
            [
                ("id", lambda p: p.pk),
                ("name", lambda p: str(p.user)),
                ("kind", lambda p: p.get_kind_display()),
                ("status", lambda p: p.get_status_display()),
                ("home postcode", lambda p: p.home_postcode),
                ("area", lambda p: p.area_name),
                ("capacity", lambda p: p.capacity),
                ("joined", lambda p: p.created_at.date().isoformat()),
            ],
            "providers.csv",
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(area_name=_area_name())

    @admin.display(description="Area", ordering="area_name")
    def area_name(self, provider):
        return provider.area_name or "—"

    @admin.display(description="Skills")
    def skill_names(self, provider):
        return ", ".join(category.name for category in provider.skills.all()) or "—"

    def has_add_permission(self, request):
        # Providers apply through the website (provider_apply).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            accessed.send(sender=ProviderProfile, instance=obj)
            for check in obj.checks.all():
                accessed.send(sender=Check, instance=check)
            context["record_check_url"] = (
                reverse("admin:accounts_check_add") + f"?provider={obj.pk}"
                if self.admin_site.is_registered(Check)
                and request.user.has_perm("accounts.add_check")
                else ""
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


# --- checks ---------------------------------------------------------------------------------


class RecordCheckForm(forms.Form):
    """A check under way; one of a kind the provider already has is renewed (pending again)."""

    provider = forms.ModelChoiceField(queryset=ProviderProfile.objects.none())
    kind = forms.ChoiceField(choices=CheckKind.choices)
    reference = forms.CharField(
        label="Certificate or reference number", max_length=64, required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)

    def __init__(self, *args, providers, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        # Only providers in the person's areas: a typed id must not reach anyone else.
        field.queryset = providers
        field.widget = ForeignKeyRawIdWidget(
            Check._meta.get_field("provider").remote_field, admin_site
        )


def _verify(check, actor, data):
    vetting.check_verify(check=check, actor=actor, expires_at=data["expires_at"])


def _reject(check, actor, data):
    vetting.check_reject(check=check, actor=actor, reason=data["reason"])


class RejectCheckForm(ReasonForm):
    reason = forms.CharField(
        label="Reason",
        max_length=240,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The provider sees this: say what they need to put right.",
    )


class StatusCheckForm(forms.Form):
    checked_on = forms.DateField(label="Checked on", widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label="Result", choices=DbsStatusResult.choices)

    def clean_checked_on(self):
        value = self.cleaned_data["checked_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("A status check cannot be in the future.")
        return value


class CheckAdmin(NoRawEdits, ScopedAdmin):
    scope = staticmethod(scoping.checks_for_staff)
    list_display = [
        "provider",
        "kind",
        "status",
        "expires_at",
        "verified_by",
        "verified_at",
        "status_check",
    ]
    list_filter = [
        "status",
        CheckExpiryFilter,
        UnseenDocumentsFilter,
        StatusCheckDueFilter,
        "kind",
        area_filter(scoping.checks_in_areas),
    ]
    list_select_related = ["provider__user", "verified_by"]
    search_fields = ["provider__user__email", "provider__user__last_name", "reference"]
    raw_id_fields = ["provider"]
    ordering = ["-created_at"]
    change_fields = [
        "provider",
        "kind",
        "status",
        "reference",
        "notes",
        "expires_at",
        "verified_by",
        "verified_at",
        "decided_at",
        "document_links",
        "created_at",
    ]
    actions = [
        asking_action(
            name="verify_checks",
            description="Verify selected checks",
            title="Verify checks",
            intro="You have seen the certificate or document for each of these checks.",
            button="Verify",
            form_class=ExpiryForm,
            apply=_verify,
            done="{n} verified.",
        ),
        asking_action(
            name="reject_checks",
            description="Reject selected checks",
            title="Reject checks",
            intro="The provider can record the check again once it is put right.",
            button="Reject",
            form_class=ReasonForm,
            apply=_reject,
            done="{n} rejected.",
        ),
        export_action(
            [
                ("provider", lambda c: str(c.provider.user)),
                ("kind", lambda c: c.get_kind_display()),
                ("status", lambda c: c.get_status_display()),
                ("expires", lambda c: c.expires_at.isoformat() if c.expires_at else ""),
            ],
            "checks.csv",
        ),
    ]

    def get_queryset(self, request):
        checks = super().get_queryset(request)
        checks = documents.with_status_check_due(checks, timezone.localdate())
        return documents.with_unseen_documents(checks)

    @admin.display(description="DBS status check", ordering="last_status_check")
    def status_check(self, check):
        if check.kind not in documents.DBS_CHECKS or not check.dbs_update_service:
            return "—"
        last = check.last_status_check
        when = f"{last:%-d %b %Y}" if last else "never"
        if check.status_check_due:
            return format_html("<strong>Due</strong> (last: {})", when)
        return when

    @admin.display(description="Documents")
    def document_links(self, check):
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("admin:accounts_check_document", args=[check.pk, document.pk]),
                    f"{document.get_kind_display()} ({document.uploaded_at:%-d %b %Y})",
                )
                for document in check.documents.all()
            ),
        )
        return links or "—"

    def get_fields(self, request, obj=None):
        return self.change_fields

    def get_readonly_fields(self, request, obj=None):
        return self.change_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Record a check under way, through accounts.vetting.check_record."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RecordCheckForm(
            request.POST if request.method == "POST" else None,
            initial={"provider": parse_id(request.GET.get("provider"))},
            providers=scoping.providers_for_staff(request.user),
            admin_site=self.admin_site,
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            check = vetting.check_record(
                provider=data["provider"],
                kind=data["kind"],
                reference=data["reference"],
                notes=data["notes"],
                actor=request.user,
            )
            self.message_user(
                request,
                f"{check.get_kind_display()} recorded for {check.provider.user}: "
                "it now waits to be verified.",
                messages.SUCCESS,
            )
            return redirect("admin:accounts_providerprofile_change", check.provider_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record a check",
            "intro": (
                "Record a check that is under way. Recording a kind the provider already "
                "has renews it: it waits to be verified again."
            ),
            "form": form,
            "button": "Record the check",
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/kith/form_page.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            accessed.send(sender=Check, instance=obj)
            context["decide_url"] = reverse("admin:accounts_check_decide", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="accounts_check_decide",
            ),
            path(
                "<path:object_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="accounts_check_document",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id):
        """Verify or reject one check: the flow the provider page's check list links to."""
        check = self.get_object(request, object_id)
        if check is None:
            raise Http404("No such check.")
        if not self.has_change_permission(request, check):
            raise PermissionDenied
        verify_form = ExpiryForm(request.POST if "verify" in request.POST else None)
        reject_form = RejectCheckForm(request.POST if "reject" in request.POST else None)
        status_form = StatusCheckForm(request.POST if "status_check" in request.POST else None)
        if status_form.is_bound and status_form.is_valid():
            try:
                documents.dbs_status_check_record(
                    check=check, actor=request.user, **status_form.cleaned_data
                )
            except TransitionError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, "Status check recorded.")
                return redirect("admin:accounts_check_decide", check.pk)
        bound = next((f for f in (verify_form, reject_form) if f.is_bound), None)
        if bound is not None and bound.is_valid():
            try:
                if bound is verify_form:
                    _verify(check, request.user, bound.cleaned_data)
                else:
                    _reject(check, request.user, bound.cleaned_data)
            except TransitionError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                verb = "verified" if bound is verify_form else "rejected"
                self.message_user(
                    request, f"{check.get_kind_display()} for {check.provider.user}: {verb}."
                )
                return redirect("admin:accounts_providerprofile_change", check.provider_id)
        accessed.send(sender=Check, instance=check)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Verify or reject: {check.get_kind_display()}",
            "check": check,
            "documents": check.documents.all(),
            "is_dbs": check.kind in documents.DBS_CHECKS,
            "status_checks": check.status_checks.select_related("recorded_by"),
            "verify_form": verify_form,
            "reject_form": reject_form,
            "status_form": status_form,
        }
        return TemplateResponse(request, "admin/accounts/check/decide.html", context)

    def document_view(self, request, object_id, document_id):
        """A document of a check in the person's areas, recorded as an access each time."""
        check = self.get_object(request, object_id)
        if check is None or not self.has_view_permission(request, check):
            raise Http404("No such document.")
        document = CheckDocument.objects.filter(check_record=check, pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        accessed.send(sender=CheckDocument, instance=document)
        return documents.document_response(document, inline=request.GET.get("view") == "1")
