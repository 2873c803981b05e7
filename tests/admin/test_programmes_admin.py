"""Programmes for commissioners: one number field per scoring weight, validated by the
engine's rule, stored in Programme.weights, and a preview of what they change."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from matchmaking import scoring
from matchmaking.scoping import grant_area
from services.models import Programme
from tests.factories import NeedFactory, ProgrammeFactory, category
from tests.matching import eligible_cook

pytestmark = pytest.mark.django_db

ADD = reverse("admin:services_programme_add")
TODAY = timezone.localdate()


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
    client.post(change, form_data(areas=[ward_a.area.pk]))
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
    return html[html.index("How the saved weights rank candidates") :]


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
    assert "There is no open request in this programme (in your areas)" in html


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
