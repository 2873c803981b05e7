import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import ProviderProfile, User
from matchmaking.constants import MatchStatus
from matchmaking.management.commands.demo import DEMO_DOMAIN, DEMO_PASSWORD, PEOPLE
from matchmaking.models import Concern, Match, Notification, Rating, Visit
from matchmaking.scoping import staff_area_ids
from services.models import Need, Offer, Postcode

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Need.objects.count(),
        Match.objects.count(),
        Postcode.objects.count(),
    )


def test_the_demo_builds_a_borough_runs_twice_and_resets(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    printed = capsys.readouterr().out

    for local, *_ in PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        assert email in printed
        assert authenticate(email=email, password=DEMO_PASSWORD) is not None
    statuses = set(Match.objects.values_list("status", flat=True))
    assert statuses >= {
        MatchStatus.OFFERED,
        MatchStatus.ACCEPTED,
        MatchStatus.ACTIVE,
        MatchStatus.COMPLETED,
        MatchStatus.DECLINED,
    }
    assert ProviderProfile.objects.filter(status="applied").exists()  # something to vet
    assert ProviderProfile.objects.exclude(photo="").exists()
    assert Notification.objects.exists() and Offer.objects.exists()
    north = User.objects.get(email=f"staff.north@{DEMO_DOMAIN}")
    south = User.objects.get(email=f"staff.south@{DEMO_DOMAIN}")
    assert staff_area_ids(north) and staff_area_ids(south)
    assert staff_area_ids(north).isdisjoint(staff_area_ids(south))
    assert Postcode.objects.count() > 2000
    assert (
        Rating.objects.filter(hidden=True).exists() and Rating.objects.filter(hidden=False).exists()
    )
    assert set(Concern.objects.values_list("status", flat=True)) == {"open", "resolved"}
    # A weekly match with visits kept, one missed, and the coming weeks planned.
    weekly = Visit.objects.filter(match__need__schedule="weekly")
    assert set(weekly.values_list("status", flat=True)) == {"done", "missed", "planned"}
    assert weekly.filter(status="missed").count() == 1
    built = counts()

    call_command("demo")
    assert counts() == built

    call_command("demo", "--reset")
    assert counts() == built
