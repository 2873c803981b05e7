"""A resident switches to Cymraeg and asks for help in Welsh, start to finish; the
confirmation email is in Welsh too."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from services.models import Need
from tests.e2e.helpers import sign_in
from tests.factories import PostcodeFactory, ProgrammeFactory, UserFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_requests_help_in_welsh_and_is_emailed_in_welsh(page):
    place = PostcodeFactory(code="RV1 2AB")
    ProgrammeFactory(categories=[category("meals")], areas=[place.area])
    resident = UserFactory(first_name="Rhian")
    sign_in(page, resident)
    when = timezone.localdate() + datetime.timedelta(days=2)

    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    resident.refresh_from_db()
    assert resident.language == "cy"

    page.get_by_role("button", name="Gofyn am help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gofyn am help")
    page.get_by_role("button", name="Dechrau nawr").click()

    # A mistake is explained in Welsh.
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Mae problem wedi codi")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dewiswch pwy sydd angen help")
    page.get_by_label("Fi", exact=True).check()
    page.get_by_role("button", name="Parhau").click()

    page.get_by_label("Pryd o fwyd poeth").check()
    page.get_by_label("Dywedwch ychydig mwy wrthym").fill("Cinio poeth, os gwelwch yn dda.")
    page.get_by_role("button", name="Parhau").click()

    page.get_by_label("Unwaith, ar ddiwrnod penodol").check()
    page.get_by_label("Yr wythnos hon").check()
    page.get_by_role("button", name="Parhau").click()

    page.get_by_label("Dyddiad", exact=True).fill(when.isoformat())
    page.get_by_label("O", exact=True).fill("12:00")
    page.get_by_label("I", exact=True).fill("13:00")
    page.get_by_role("button", name="Parhau").click()

    page.get_by_label("Enw llawn y person sydd angen help").fill("Rhian Jones")
    page.get_by_label("Cod post", exact=True).fill("rv1 2ab")
    page.get_by_label("Cyfeiriad", exact=True).fill("14 Heol y Coed")
    page.get_by_label("Rhif ffôn").fill("07700 900456")
    page.get_by_role("button", name="Parhau").click()

    page.get_by_label("Anghenion deietegol (dewisol)").fill("Dim porc")
    page.get_by_role("button", name="Parhau").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gwirio eich atebion cyn anfon eich cais"
    )
    expect(page.get_by_text("Pryd o fwyd poeth")).to_be_visible()
    page.get_by_role("button", name="Derbyn ac anfon").click()
    expect(page.get_by_role("heading", name="Cais wedi’i anfon")).to_be_visible()
    reference = page.locator(".govuk-panel__body strong").inner_text()

    need = Need.objects.get()
    assert need.reference == reference and need.address == "14 Heol y Coed"
    confirmation = next(m for m in mail.outbox if m.to == [resident.email])
    assert confirmation.subject.endswith(f"Mae eich cais am help gennym: {reference}")
    assert "Diolch. Mae eich cais am help gennym (pryd o fwyd poeth)." in confirmation.body
    assert f"Eich cyfeirnod yw {reference}." in confirmation.body

    # Back to English with the same switch; the account remembers that too.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    assert User.objects.get(pk=resident.pk).language == "en-gb"
