"""'Your visits': the coming four weeks and the past, with what each side can record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from matchmaking import calendars, lifecycle, visits
from matchmaking.models import CalendarFeed
from matchmaking.views.common import act


def _rows(visit_list, user, now):
    rows = []
    for visit in visit_list:
        helping = lifecycle.is_provider_side(visit.match, user)
        rows.append(
            {
                "visit": visit,
                "helping": helping,
                "other_name": (
                    visit.match.need.first_name
                    if helping
                    else visit.match.provider.user.display_name
                ),
                "actions": visits.visit_actions(visit, user, now),
            }
        )
    return rows


@login_required
def visit_list(request):
    now = timezone.now()
    coming, past = visits.visits_coming_and_past(request.user, now=now)
    return render(
        request,
        "matchmaking/visits.html",
        {"coming": _rows(coming, request.user, now), "past": _rows(past, request.user, now)},
    )


def _my_visit(request, pk):
    """The visit if the user is on either side of its match; 404 otherwise."""
    return get_object_or_404(visits.visits_for_person(request.user), pk=pk)


@login_required
@require_POST
def visit_done(request, pk):
    visit = _my_visit(request, pk)
    if act(request, lambda: visits.visit_mark_done(visit=visit, actor=request.user)):
        messages.success(request, _("Marked as done. Thank you."))
    return redirect("matchmaking:visits")


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = _my_visit(request, pk)
    if act(request, lambda: visits.visit_cancel(visit=visit, actor=request.user)):
        messages.success(request, _("The visit was cancelled and the other person has been told."))
    return redirect("matchmaking:visits")


@login_required
@require_POST
def visit_missed(request, pk):
    visit = _my_visit(request, pk)
    if act(request, lambda: visits.visit_report_missed(visit=visit, actor=request.user)):
        messages.success(request, _("Thank you for telling us. Council staff will look into it."))
    return redirect("matchmaking:visits")


# --- the calendar feed (an account page) ----------------------------------------------------


def _calendar_page(request, new_feed_url=""):
    has_feed = bool(new_feed_url) or CalendarFeed.objects.filter(user=request.user).exists()
    return render(
        request,
        "matchmaking/calendar.html",
        {"has_feed": has_feed, "new_feed_url": new_feed_url},
    )


@login_required
def calendar_page(request):
    return _calendar_page(request)


@login_required
@require_POST
def calendar_create(request):
    """A new secret URL (any earlier one stops working); shown on this page only, once."""
    token = calendars.calendar_feed_create(user=request.user)
    url = request.build_absolute_uri(reverse("matchmaking:calendar_feed", args=[token]))
    response = _calendar_page(request, new_feed_url=url)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def calendar_revoke(request):
    if calendars.calendar_feed_revoke(user=request.user):
        messages.success(request, _("Your calendar link no longer works."))
    return redirect("matchmaking:calendar")


@never_cache
@require_GET
def calendar_feed(request, token):
    owner = calendars.calendar_feed_owner(token)
    if owner is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendars.calendar_ics(owner), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="visits.ics"'
    return response
