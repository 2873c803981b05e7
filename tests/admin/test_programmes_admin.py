"""Programmes for commissioners: one number field per scoring weight, validated by the
engine's rule, stored in Programme.weights, and a preview of what they change."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from matchmaking import candidates, scoring
from matchmaking.scoping import grant_area
from services.models import Programme, UnitCost
from tests.factories import NeedFactory, ProgrammeFactory, category
from tests.matching import eligible_cook

pytestmark = pytest.mark.django_db

ADD = reverse("admin:services_programme_add")
TODAY = timezone.localdate()


# The unit costs inline's management form: no unit cost rows.
UNIT_COSTS_NONE = {
    "unit_costs-TOTAL_FORMS": "0",
    "unit_costs-INITIAL_FORMS": "0",
    "unit_costs-MIN_NUM_FORMS": "0",
    "unit_costs-MAX_NUM_FORMS": "1000",
}


def form_data(**changes):
    data = {
        "name": "Hot meals for Northgate",
        "description": "",
        "is_active": "on",
        "categories": [category("meals").pk],
        "areas": [],
        "max_distance_km": "5",
        "budget": "12000",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=365)).isoformat(),
        "target_residents": "40",
        **{f"weight_{n}": str(v) for n, v in scoring.DEFAULT_WEIGHTS.as_dict().items()},
        **UNIT_COSTS_NONE,
    }
    data.update(changes)
    return data


def test_the_form_shows_one_field_per_weight_with_the_defaults(as_user, commissioner):
    html = as_user(commissioner).get(ADD).content.decode()
    for name, value in scoring.DEFAULT_WEIGHTS.as_dict().items():
        assert f'name="weight_{name}"' in html
        assert f'name="weight_{name}" value="{value}"' in html
    assert "Lives nearby" in html  # labelled as people read them


def test_custom_weights_are_stored_and_defaults_stored_as_none(as_user, commissioner, ward_a):
    client = as_user(commissioner)
    response = client.post(
        ADD, form_data(areas=[ward_a.area.pk], weight_trust="4", weight_load="0")
    )
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert programme.weights == {**scoring.DEFAULT_WEIGHTS.as_dict(), "trust": 4.0, "load": 0.0}
    assert list(programme.areas.all()) == [ward_a.area]

    change = reverse("admin:services_programme_change", args=[programme.pk])
    html = client.get(change).content.decode()
    assert 'name="weight_trust" value="4.0"' in html
    client.post(change, form_data(areas=[ward_a.area.pk]))  # a draft: the defaults
    publish(client, programme)
    programme.refresh_from_db()
    assert programme.weights == {}  # the engine's defaults, following them if retuned


def test_each_negative_weight_is_named(as_user, commissioner):
    response = as_user(commissioner).post(ADD, form_data(weight_trust="-1", weight_load="-0.5"))
    html = response.content.decode()
    assert "The trust weight must be zero or more, not -1." in html
    assert "The load weight must be zero or more, not -0.5." in html
    assert not Programme.objects.exists()


def test_all_weights_zero_is_refused(as_user, commissioner):
    zeros = {f"weight_{n}": "0" for n in scoring.COMPONENTS}
    html = as_user(commissioner).post(ADD, form_data(**zeros)).content.decode()
    assert "At least one weight must be more than zero." in html
    assert not Programme.objects.exists()


@pytest.mark.parametrize("value", ["", "lots", "nan", "inf", "1e999"])
def test_a_weight_that_is_not_a_number_is_refused(as_user, commissioner, value):
    response = as_user(commissioner).post(ADD, form_data(weight_proximity=value))
    assert response.status_code == 200
    assert not Programme.objects.exists()


def test_dates_the_wrong_way_round_are_explained(as_user, commissioner):
    html = (
        as_user(commissioner)
        .post(ADD, form_data(ends_on=(TODAY - datetime.timedelta(days=1)).isoformat()))
        .content.decode()
    )
    assert "The end date must be on or after the start date." in html


def test_staff_may_read_programmes_but_not_change_them(as_user, staff_a):
    programme = ProgrammeFactory()
    client = as_user(staff_a)
    change = reverse("admin:services_programme_change", args=[programme.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, form_data()).status_code == 403
    assert client.get(ADD).status_code == 403


@pytest.fixture
def programme_with_need(ward_a):
    """Near is nearer; far is much better rated. By default near wins; on trust alone, far."""
    programme = ProgrammeFactory(
        categories=[category("meals")],
        areas=[ward_a.area],
        weights={**dict.fromkeys(scoring.COMPONENTS, 0.0), "trust": 1.0},
    )
    need = NeedFactory(area=ward_a.area, programme=programme, postcode="RV1 1AA")
    near = eligible_cook(need, home_postcode="RV1 1AA")
    far = eligible_cook(
        need,
        latitude=need.latitude + 0.02,
        rating_count=50,
        rating_sum=250,
        home_postcode="RV1 1AA",
    )
    return programme, need, near, far


def preview_part(html):
    return html[html.index('id="kith-preview-title"') :]


def test_the_preview_compares_saved_and_default_weights(as_user, commissioner, programme_with_need):
    programme, need, near, far = programme_with_need
    grant_area(commissioner, need.area)
    html = (
        as_user(commissioner)
        .get(reverse("admin:services_programme_change", args=[programme.pk]))
        .content.decode()
    )
    preview = preview_part(html)
    assert need.reference in preview
    saved, default = preview.split("With the default weights")
    # Names as the page shows them (escaped: Faker's names may hold an apostrophe).
    far_name, near_name = escape(str(far.user)), escape(str(near.user))
    assert saved.index(far_name) < saved.index(near_name)
    assert default.index(near_name) < default.index(far_name)
    assert "#2" in saved[saved.index(far_name) :]  # far is second with the defaults


def test_the_preview_only_uses_needs_in_the_commissioners_areas(
    as_user, commissioner, programme_with_need
):
    programme, need, _, _ = programme_with_need
    html = (
        as_user(commissioner)
        .get(reverse("admin:services_programme_change", args=[programme.pk]), {"sample": need.pk})
        .content.decode()
    )
    assert need.reference not in preview_part(html)
    assert "There is no recent request in this programme (in your areas)" in html


def test_a_bad_sample_is_ignored(as_user, superuser, programme_with_need):
    programme, need, _, _ = programme_with_need
    url = reverse("admin:services_programme_change", args=[programme.pk])
    for sample in ("x", "9" * 30, "-1", "²"):
        response = as_user(superuser).get(url, {"sample": sample})
        assert response.status_code == 200
        assert need.reference in preview_part(response.content.decode())


def test_stored_weights_the_engine_refuses_are_explained(as_user, superuser, programme_with_need):
    programme, _, _, _ = programme_with_need
    Programme.objects.filter(pk=programme.pk).update(weights={"speed": 1})
    html = (
        as_user(superuser)
        .get(reverse("admin:services_programme_change", args=[programme.pk]))
        .content.decode()
    )
    assert "The saved weights cannot be used: Unknown scoring weight" in html


def shown_draft(client, programme):
    """The draft the change page's Publish button carries."""
    page = client.get(change_url(programme)).content.decode()
    return html.unescape(re.search(r'name="draft" value="([^"]*)"', page).group(1))


def publish(client, programme):
    """Publish as a commissioner does: from the change page, with the draft it showed."""
    return client.post(weights_url(programme, "publish"), {"draft": shown_draft(client, programme)})


def change_url(programme):
    return reverse("admin:services_programme_change", args=[programme.pk])


def weights_url(programme, verb):
    return reverse("admin:services_programme_weights", args=[programme.pk, verb])


def test_saving_new_weights_makes_a_draft_the_engine_does_not_use(
    as_user, commissioner, programme_with_need
):
    programme, need, near, far = programme_with_need
    grant_area(commissioner, need.area)
    live = dict(programme.weights)
    client = as_user(commissioner)
    proximity_only = {f"weight_{n}": "0" for n in scoring.COMPONENTS} | {"weight_proximity": "1"}
    response = client.post(
        change_url(programme),
        form_data(name=programme.name, areas=[need.area.pk], **proximity_only),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(change_url(programme))  # back to compare
    programme.refresh_from_db()
    assert programme.weights == live  # not live yet
    assert programme.draft_weights["proximity"] == 1.0 and programme.draft_weights["trust"] == 0
    # The engine still ranks on trust alone: far first.
    assert candidates.rank_need(need).ranked[0].provider_id == far.pk

    html = client.get(change_url(programme)).content.decode()
    preview = preview_part(html)
    assert "Draft weights: how they would rank recent requests" in preview
    assert 'name="weight_proximity" value="1.0"' in html  # the fields show the draft
    live_part, draft_part = preview.split("With the draft weights</caption>")
    live_list = live_part.split("With this programme's live weights")[1]
    far_name, near_name = escape(str(far.user)), escape(str(near.user))
    assert live_list.index(far_name) < live_list.index(near_name)
    assert draft_part.index(near_name) < draft_part.index(far_name)
    assert "(changes)" in preview  # the first choice differs for this request

    response = publish(client, programme)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.draft_weights is None and programme.weights["proximity"] == 1.0
    assert candidates.rank_need(need).ranked[0].provider_id == near.pk
    entry = LogEntry.objects.get_for_object(programme).filter(changes__has_key="weights")
    assert entry.get().actor == commissioner


def test_a_draft_saved_since_the_page_was_shown_is_not_published(
    as_user, commissioner, programme_with_need
):
    programme, _, _, _ = programme_with_need
    live = dict(programme.weights)
    first = {**scoring.DEFAULT_WEIGHTS.as_dict(), "trust": 2.0}
    Programme.objects.filter(pk=programme.pk).update(draft_weights=first)
    client = as_user(commissioner)
    shown = shown_draft(client, programme)
    newer = {**scoring.DEFAULT_WEIGHTS.as_dict(), "trust": 7.0}
    Programme.objects.filter(pk=programme.pk).update(draft_weights=newer)  # someone else
    response = client.post(weights_url(programme, "publish"), {"draft": shown}, follow=True)
    assert "The draft has changed since the page was shown" in response.content.decode()
    programme.refresh_from_db()
    assert programme.weights == live and programme.draft_weights == newer
    # A publish that names no draft publishes nothing either.
    client.post(weights_url(programme, "publish"))
    programme.refresh_from_db()
    assert programme.weights == live


def test_a_draft_can_be_discarded(as_user, commissioner, programme_with_need):
    programme, _, _, _ = programme_with_need
    live = dict(programme.weights)
    Programme.objects.filter(pk=programme.pk).update(
        draft_weights=scoring.DEFAULT_WEIGHTS.as_dict()
    )
    client = as_user(commissioner)
    assert client.post(weights_url(programme, "discard")).status_code == 302
    programme.refresh_from_db()
    assert programme.draft_weights is None and programme.weights == live


def test_publishing_without_a_draft_is_explained(as_user, commissioner, programme_with_need):
    programme, _, _, _ = programme_with_need
    live = dict(programme.weights)
    response = as_user(commissioner).post(weights_url(programme, "publish"), follow=True)
    assert "There is no draft to publish" in response.content.decode()
    programme.refresh_from_db()
    assert programme.weights == live


def test_who_may_publish(as_user, staff_a, programme_with_need):
    programme, _, _, _ = programme_with_need
    draft = {**scoring.DEFAULT_WEIGHTS.as_dict(), "trust": 9.0}
    Programme.objects.filter(pk=programme.pk).update(draft_weights=draft)
    client = as_user(staff_a)  # may read programmes, not change them
    assert client.post(weights_url(programme, "publish")).status_code == 403
    assert "Publish the draft weights" not in client.get(change_url(programme)).content.decode()
    programme.refresh_from_db()
    assert programme.draft_weights == draft
    assert as_user(staff_a).get(weights_url(programme, "publish")).status_code in (403, 405)
    assert client.post(weights_url(programme, "everything")).status_code == 404


def test_a_draft_the_engine_refuses_is_not_stored(as_user, commissioner, programme_with_need):
    programme, _, _, _ = programme_with_need
    response = as_user(commissioner).post(
        change_url(programme), form_data(name=programme.name, weight_trust="-2")
    )
    assert "The trust weight must be zero or more, not -2." in response.content.decode()
    programme.refresh_from_db()
    assert programme.draft_weights is None


def test_commissioners_record_spend_and_unit_costs(as_user, commissioner, ward_a):
    programme = ProgrammeFactory()
    data = form_data(
        name=programme.name,
        areas=[ward_a.area.pk],
        actual_spend="2500.50",
        spend_as_at=TODAY.isoformat(),
        **{
            "unit_costs-TOTAL_FORMS": "1",
            "unit_costs-0-category": str(category("meals").pk),
            "unit_costs-0-cost": "7.25",
            "unit_costs-0-unit": "a meal",
            "unit_costs-0-source": "Council meals price list 2026",
        },
    )
    response = as_user(commissioner).post(change_url(programme), data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.actual_spend == Decimal("2500.50") and programme.spend_as_at == TODAY
    (unit_cost,) = programme.unit_costs.all()
    assert (unit_cost.cost, unit_cost.unit) == (Decimal("7.25"), "a meal")


def test_a_negative_spend_or_unit_cost_is_refused(as_user, commissioner, ward_a):
    programme = ProgrammeFactory()
    data = form_data(
        name=programme.name,
        areas=[ward_a.area.pk],
        actual_spend="-1",
        **{
            "unit_costs-TOTAL_FORMS": "1",
            "unit_costs-0-category": str(category("meals").pk),
            "unit_costs-0-cost": "-7",
            "unit_costs-0-unit": "a meal",
            "unit_costs-0-source": "Made up",
        },
    )
    response = as_user(commissioner).post(change_url(programme), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The actual spend cannot be negative." in html
    assert "Ensure this value is greater than or equal to 0." in html  # the unit cost
    programme.refresh_from_db()
    assert programme.actual_spend is None and not UnitCost.objects.exists()
