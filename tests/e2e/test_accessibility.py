"""axe-core in chromium on the main pages: no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.helpers import sign_in
from tests.factories import NeedFactory
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = ["/", "/accounts/login/", "/accounts/signup/", "/accessibility/", "/privacy/"]
RESIDENT = [
    "/requests/",
    "/request-help/",
    "/request-help/who/",
    "/notifications/",
    "/visits/",
    "/account/calendar/",
    "/account/your-details/",
    "/account/your-name/",
]


def serious_violations(page, path):
    page.goto(path)
    result = Axe().run(page)
    return [
        f"{path}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])} places)"
        for violation in result.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(page, new_page):
    need = NeedFactory()
    provider = eligible_cook(need)
    match = make_match(need, provider, "accepted")
    found = []
    for path in PUBLIC:
        found += serious_violations(page, path)

    sign_in(page, need.requested_by)
    for path in [*RESIDENT, f"/requests/{need.reference}/", f"/matches/{match.pk}/"]:
        found += serious_violations(page, path)
    found += serious_violations(page, f"/matches/{match.pk}/conversation/")

    as_provider = new_page()
    sign_in(as_provider, provider.user)
    for path in ["/help-requests/", f"/help-requests/{match.pk}/", "/provide/", "/provide/pause/"]:
        found += serious_violations(as_provider, path)
    assert found == []
