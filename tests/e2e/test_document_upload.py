"""A provider sends a certificate from a phone: the pages fit 320 px, run under the strict
Content Security Policy without a complaint, and a refused file is explained on the page."""

import pytest

from accounts.models import CheckDocument
from tests.accounts.document_files import (
    pdf_bytes,
    pdf_with_javascript,
    private_media_fixture,  # noqa: F401 (the private_media fixture)
    stored_files,
)
from tests.e2e.helpers import sign_in
from tests.provider_factories import ProviderProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = 320


def page_width(page):
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_a_cook_sends_a_food_hygiene_certificate_from_a_phone(page, private_media, tmp_path):
    provider = ProviderProfileFactory(kind="cook")
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    sign_in(page, provider.user)
    page.set_viewport_size({"width": NARROWEST, "height": 700})

    page.goto("/provide/documents/")
    page.get_by_role("heading", name="Your certificates").wait_for()
    assert page_width(page) <= NARROWEST
    page.get_by_role("link", name="Upload your food hygiene certificate").click()
    page.get_by_role("heading", name="Upload your food hygiene certificate").wait_for()
    assert page_width(page) <= NARROWEST

    scripted = tmp_path / "certificate.pdf"
    scripted.write_bytes(pdf_with_javascript())
    page.get_by_label("Upload the certificate").set_input_files(scripted)
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("There is a problem").wait_for()
    assert page.get_by_text("contains scripts").first.is_visible()
    assert not stored_files(private_media)

    clean = tmp_path / "food-hygiene.pdf"
    clean.write_bytes(pdf_bytes())
    page.get_by_label("Upload the certificate").set_input_files(clean)
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("The council will check it").wait_for()
    assert page_width(page) <= NARROWEST
    assert CheckDocument.objects.filter(check_record__provider=provider).count() == 1
    assert problems == []


def test_the_certificate_pages_have_no_serious_accessibility_violations(page, private_media):
    from axe_playwright_python.sync_playwright import Axe

    provider = ProviderProfileFactory(kind="carer")
    sign_in(page, provider.user)
    found = []
    for path in [
        "/provide/documents/",
        "/provide/documents/upload/dbs_certificate/",
        "/provide/documents/upload/insurance/",
    ]:
        page.goto(path)
        page.get_by_role("heading", level=1).wait_for()
        found += [
            f"{path}: {violation['id']}"
            for violation in Axe().run(page).response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
    # The DBS form with every error showing (the error summary links to each field).
    page.goto("/provide/documents/upload/dbs_certificate/")
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("There is a problem").wait_for()
    found += [
        f"dbs errors: {violation['id']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert found == []
