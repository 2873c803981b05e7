from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def sign_out(page):
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign Out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
