"""The demo borough on the commissioning dashboard: a programme with its actual spend, the
estimate of equivalent council provision, and a change in loneliness with its interval."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from matchmaking.management.commands.demo import DEMO_DOMAIN, PROGRAMME
from matchmaking.outcomes import figures
from matchmaking.outcomes.statistics import PairedChange
from matchmaking.scoping import staff_area_ids
from services.models import Programme

pytestmark = pytest.mark.django_db


def test_the_demo_dashboard_shows_spend_costs_and_a_change_with_its_interval(
    settings, tmp_path, client
):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    programme = Programme.objects.get(name=PROGRAMME)
    assert programme.actual_spend and programme.unit_costs.count() == 6
    commissioner = User.objects.get(email=f"commissioner@{DEMO_DOMAIN}")
    client.force_login(commissioner)
    html = client.get(reverse("admin:dashboard"), {"start": programme.starts_on}).content.decode()
    programmes = html.split('id="kith-programmes"')[1].split("</section>")[0]
    assert "£61,250.00" in programmes
    costs = html.split('id="kith-costs"')[1].split("</section>")[0]
    assert "(estimate)" in costs and "Demo figure, not a published price" in costs
    period = figures.dashboard.Period(programme.starts_on, figures.timezone.localdate())
    everybody = figures.outcomes_by_group(staff_area_ids(commissioner), period)[0]
    change = everybody.changes["ucla3"]
    assert isinstance(change, PairedChange) and change.ci_low < change.ci_high
    assert f"{change.mean_change:.2f}" in html
