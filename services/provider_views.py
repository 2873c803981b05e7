"""The provider's side: the "Offer help" journey, their dashboard, profile edits and offers.

Views parse input, call one write function (accounts.providers, services.offers) and render.
The journey keeps each step's raw answers in the session and validates every step again
before "Check your answers" and on submit, so a stale draft can never be submitted.
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import documents
from accounts.constants import CheckStatus, DocumentKind
from accounts.exceptions import TransitionError
from accounts.models import CheckDocument, ProviderProfile, TimeAway
from accounts.providers import (
    availability_replace,
    missing_checks,
    provider_apply,
    provider_update,
    time_away_add,
    time_away_remove,
)
from services.constants import OfferStatus
from services.document_forms import DocumentForm, in_a_sentence
from services.journey import Journey, Step, Upload
from services.offer_filters import OfferFilter
from services.offers import offer_create, offer_withdraw
from services.pagination import ListPaginator
from services.provider_forms import (
    LANGUAGE_NAMES,
    AboutForm,
    AvailabilityForm,
    KindForm,
    OfferForm,
    PeopleForm,
    PhotoForm,
    ProfileForm,
    SkillsForm,
    TimeAwayForm,
    WhereForm,
)
from services.selectors import offers_listed_for, offers_visible_to
from services.submit_once import submit_once, submit_token_field

OFFERS_PER_PAGE = 20


def _kind_of(draft):
    return {"kind": draft.get("kind", {}).get("kind")}


def _has_photo(draft):
    return {"has_photo": bool(draft.get("about", {}).get("photo"))}


PHOTO = Upload(field="photo", remove_field="remove_photo", directory="provider-drafts")
STEP_TEMPLATE = "providers/journey/step.html"
CHOICES_TEMPLATE = "providers/journey/step_choices.html"
STEPS = [
    Step("kind", KindForm, _("What kind of helper are you?"), template=CHOICES_TEMPLATE),
    Step(
        "help",
        SkillsForm,
        _("What can you help with?"),
        template=CHOICES_TEMPLATE,
        form_kwargs=_kind_of,
    ),
    Step(
        "availability",
        AvailabilityForm,
        _("When are you available?"),
        hint=_(
            "Enter the times you could usually help each week. Leave the days you cannot "
            "help empty."
        ),
        template="providers/journey/step_availability.html",
    ),
    Step("where", WhereForm, _("Where do you live?"), template=STEP_TEMPLATE),
    Step(
        "people",
        PeopleForm,
        _("How many people, and in which languages?"),
        template=STEP_TEMPLATE,
    ),
    Step(
        "about",
        AboutForm,
        _("About you"),
        template="providers/journey/step_about.html",
        form_kwargs=_has_photo,
        upload=PHOTO,
    ),
]


def offer_help_journey(request):
    return Journey(
        session=request.session,
        key="offer_help",
        steps=STEPS,
        url_name="providers:step",
        check_url_name="providers:check",
    )


# --- helpers ---------------------------------------------------------------------------


def _profile_of(user):
    return ProviderProfile.objects.filter(user=user).first()


def _add_errors(form, exc):
    """Show a write function's ValidationError on the form, on the field it names if any."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _already_provider(request):
    if _profile_of(request.user) is not None:
        messages.info(request, _("You have already offered help. This is your helper dashboard."))
        return redirect("providers:dashboard")
    return None


# --- the "Offer help" journey -----------------------------------------------------------


@login_required
def offer_help_start(request):
    if response := _already_provider(request):
        return response
    first_step_url = offer_help_journey(request).url(STEPS[0])
    return render(request, "providers/journey/start.html", {"first_step_url": first_step_url})


@login_required
@require_http_methods(["GET", "POST"])
def offer_help_step(request, step):
    if response := _already_provider(request):
        return response
    # Every answer leads on to the first question still to answer: changing the kind of
    # helper can make "what can you help with" invalid again.
    return offer_help_journey(request).step_page(
        request, step, skip_answered=True, back_url=reverse("providers:start")
    )


def _summary_sections(journey, validated):
    sections = []
    for step, form in validated:
        rows = form.summary()
        if step.upload is PHOTO:
            added = PHOTO.stored(journey.draft[step.name])
            rows.append(("Photo", "Added" if added else "Not added"))
        sections.append({"title": step.title, "rows": rows, "change_url": journey.url(step)})
    return sections


@login_required
@require_http_methods(["GET", "POST"])
def offer_help_check(request):
    if response := _already_provider(request):
        return response
    journey = offer_help_journey(request)
    to_answer, validated = journey.validated()
    if to_answer is not None:
        return redirect(journey.url(to_answer))

    errors = []
    if request.method == "POST":

        def apply():
            try:
                _apply_with_answers(request.user, journey, validated)
            except ValidationError as exc:
                errors.extend(exc.messages)
                return None
            journey.clear()
            messages.success(
                request,
                _("Thank you for offering to help. The council will now check your details."),
            )
            return reverse("providers:dashboard")

        if sent := submit_once(request, apply, pending_url=reverse("providers:dashboard")):
            return sent

    return render(
        request,
        "providers/journey/check.html",
        {
            "sections": _summary_sections(journey, validated),
            "errors": errors,
            "back_url": journey.url(STEPS[-1]),
            "submit_token": submit_token_field(),
        },
    )


def _apply_with_answers(user, journey, validated):
    forms = {step.name: form for step, form in validated}
    data = {}
    for form in forms.values():
        data.update(form.cleaned_data)
    postcode = data["home_postcode"]
    provider_apply(
        user=user,
        kind=data["kind"],
        bio=data["bio"],
        languages=data["languages"],
        home_postcode=postcode.code,
        latitude=postcode.latitude,
        longitude=postcode.longitude,
        travel_radius_km=float(data["travel_radius_km"]),
        capacity=data["capacity"],
        photo=PHOTO.open(journey.draft["about"]),
        availability=forms["availability"].slots(),
        skills=data["skills"],
    )


# --- the dashboard and profile edits ----------------------------------------------------


def provider_required(view):
    """Signed in and has a provider profile (passed to the view); otherwise start the journey."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = _profile_of(request.user)
        if profile is None:
            return redirect("providers:start")
        return view(request, profile, *args, **kwargs)

    return wrapper


def _check_task(kind, check, on_date):
    """A task-list row for a required check that is not yet valid."""
    if check is None:
        return {"kind": kind, "status": "Not started", "tag": "govuk-tag--blue"}
    if check.status == CheckStatus.REJECTED:
        return {"kind": kind, "status": "Not accepted", "tag": "govuk-tag--red"}
    if check.status == CheckStatus.VERIFIED:
        return {
            "kind": kind,
            "status": f"Expired on {check.expires_at:%-d %B %Y}",
            "tag": "govuk-tag--red",
        }
    return {"kind": kind, "status": "Waiting for the council", "tag": "govuk-tag--yellow"}


@provider_required
def dashboard(request, profile):
    # The profile provider_required read already, with what the page lists of it.
    prefetch_related_objects([profile], "skills", "checks", "availability")
    today = timezone.localdate()
    checks_by_kind = {check.kind: check for check in profile.checks.all()}
    categories = [
        {
            "category": category,
            "tasks": [
                _check_task(kind, checks_by_kind.get(kind), today)
                for kind in missing_checks(profile, category.required_checks, today)
            ],
        }
        for category in profile.skills.all()
    ]
    upcoming = (
        offers_listed_for(request.user)
        .filter(status=OfferStatus.OPEN, on_date__gte=today)
        .order_by("on_date", "starts_at")[:5]
    )
    profile_rows = [
        (_("Kind of helper"), profile.get_kind_display()),
        (_("Home postcode"), profile.home_postcode),
        (_("How far you can travel"), f"{profile.travel_radius_km:g} km"),
        (_("People at the same time"), str(profile.capacity)),
        (
            _("Languages"),
            ", ".join(str(LANGUAGE_NAMES.get(c, c)) for c in profile.languages) or _("None"),
        ),
        (_("About you"), profile.bio or _("Nothing yet")),
    ]
    return render(
        request,
        "providers/dashboard.html",
        {
            "profile": profile,
            "profile_rows": profile_rows,
            "categories": categories,
            "upcoming_offers": upcoming,
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, profile):
    if request.method == "POST":
        form = ProfileForm(data=request.POST, kind=profile.kind)
        if form.is_valid():
            data = form.cleaned_data
            postcode = data["home_postcode"]
            try:
                provider_update(
                    profile=profile,
                    skills=data["skills"],
                    home_postcode=postcode.code,
                    latitude=postcode.latitude,
                    longitude=postcode.longitude,
                    travel_radius_km=float(data["travel_radius_km"]),
                    capacity=data["capacity"],
                    languages=data["languages"],
                    bio=data["bio"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Your profile has been updated."))
                return redirect("providers:dashboard")
    else:
        form = ProfileForm(
            kind=profile.kind,
            initial={
                "skills": [c.pk for c in profile.skills.all()],
                "home_postcode": profile.home_postcode,
                "travel_radius_km": f"{profile.travel_radius_km:g}",
                "capacity": profile.capacity,
                "languages": profile.languages,
                "bio": profile.bio,
            },
        )
    return render(request, "providers/profile_edit.html", {"form": form, "profile": profile})


def _availability_page(request, profile, *, form=None, away_form=None):
    """The weekly windows and the dates away, either form possibly showing its errors."""
    if form is None:
        form = AvailabilityForm(initial=AvailabilityForm.initial_from(profile.availability.all()))
    return render(
        request,
        "providers/availability_edit.html",
        {
            "form": form,
            "away_form": away_form or TimeAwayForm(),
            "time_away": profile.time_away.filter(ends_on__gte=timezone.localdate()),
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def availability_edit(request, profile):
    if request.method == "POST":
        form = AvailabilityForm(data=request.POST)
        if form.is_valid():
            try:
                availability_replace(profile=profile, slots=form.slots())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Your availability has been updated."))
                return redirect("providers:dashboard")
        return _availability_page(request, profile, form=form)
    return _availability_page(request, profile)


@provider_required
@require_POST
def away_add(request, profile):
    form = TimeAwayForm(data=request.POST)
    if form.is_valid():
        try:
            time_away_add(profile=profile, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, gettext("Your dates away have been added."))
            return redirect(reverse("providers:availability") + "#dates-away")
    return _availability_page(request, profile, away_form=form)


@provider_required
@require_POST
def away_remove(request, profile, pk):
    try:
        time_away_remove(profile=profile, time_away_id=pk)
    except TimeAway.DoesNotExist:
        raise Http404 from None
    messages.success(request, gettext("Your dates away have been removed."))
    return redirect(reverse("providers:availability") + "#dates-away")


@provider_required
@require_http_methods(["GET", "POST"])
def photo_edit(request, profile):
    has_photo = bool(profile.photo)
    if request.method == "POST":
        form = PhotoForm(data=request.POST, files=request.FILES, has_photo=has_photo)
        if form.is_valid():
            photo = form.cleaned_data["photo"]
            provider_update(profile=profile, photo=photo)
            messages.success(
                request,
                _("Your photo has been updated.") if photo else _("Your photo has been removed."),
            )
            return redirect("providers:dashboard")
    else:
        form = PhotoForm(has_photo=has_photo)
    return render(request, "providers/photo_edit.html", {"form": form, "profile": profile})


# --- one-off offers ---------------------------------------------------------------------


@provider_required
def offer_list(request, profile):
    offers = OfferFilter(
        request.GET,
        queryset=offers_listed_for(request.user),
    )
    page = ListPaginator(offers.qs, OFFERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/offers/list.html",
        {"filter": offers, "page": page, "query": _query_without_page(request)},
    )


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@provider_required
@require_http_methods(["GET", "POST"])
def offer_new(request, profile):
    if request.method == "POST":
        form = OfferForm(data=request.POST, provider=profile)
        if form.is_valid():

            def post_offer():
                data = form.cleaned_data
                try:
                    offer_create(
                        provider=profile,
                        category=data["category"],
                        description=data["description"],
                        portions=data["portions"],
                        dietary_notes=data["dietary_notes"],
                        on_date=data["on_date"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        max_distance_km=float(data["max_distance_km"]),
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                    return None
                messages.success(request, _("Your offer has been posted."))
                return reverse("providers:offers")

            if sent := submit_once(request, post_offer, pending_url=reverse("providers:offers")):
                return sent
    else:
        form = OfferForm(provider=profile, initial={"max_distance_km": "2"})
    return render(
        request,
        "providers/offers/new.html",
        {"form": form, "profile": profile, "submit_token": submit_token_field()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_withdraw_confirm(request, pk):
    # Anyone else's offer is a 404, never a 403 or a redirect: it is not theirs to learn of.
    offer = get_object_or_404(offers_visible_to(request.user).select_related("category"), pk=pk)
    if request.method == "POST":
        try:
            offer_withdraw(offer=offer, actor=request.user)
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Your offer “{offer.description}” has been withdrawn.")
        return redirect("providers:offers")
    if offer.status != OfferStatus.OPEN:
        messages.error(
            request,
            f"This offer is {offer.get_status_display().lower()}, so it cannot be withdrawn.",
        )
        return redirect("providers:offers")
    return render(request, "providers/offers/withdraw.html", {"offer": offer})


# --- vetting documents ------------------------------------------------------------------


@provider_required
def document_list(request, profile):
    checks = profile.checks.prefetch_related("documents").order_by("kind")
    return render(
        request,
        "providers/documents.html",
        {
            "checks": checks,
            "document_kinds": [
                (kind, in_a_sentence(label)) for kind, label in DocumentKind.choices
            ],
            "retention_days": settings.DOCUMENT_RETENTION_DAYS,
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def document_upload(request, profile, kind):
    if kind not in DocumentKind.values:
        raise Http404("No such kind of document.")
    kind = DocumentKind(kind)
    form = DocumentForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            documents.document_upload(
                provider=profile,
                kind=kind,
                uploaded_file=form.cleaned_data["file"],
                dbs=form.dbs_details(),
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, f"{kind.label} uploaded. The council will check it and let you know."
            )
            return redirect("providers:documents")
    return render(
        request,
        "providers/document_upload.html",
        {"form": form, "kind": kind, "kind_name": in_a_sentence(kind.label)},
    )


@login_required
def document_download(request, pk):
    # Anyone else's document is "not found": its existence is not theirs to learn.
    document = get_object_or_404(CheckDocument, pk=pk, check_record__provider__user=request.user)
    return documents.document_response(document, inline=request.GET.get("view") == "1")
