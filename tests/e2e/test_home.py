import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_in_chromium(page, screenshot):
    response = page.goto("/")
    assert response.status == 200
    assert page.locator("h1").first.inner_text() == "Guidebook"
    assert page.get_by_role("link", name="Sign up").is_visible()
    # The stylesheet loaded: the header has the brand colour, not the browser's default.
    background = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(31, 78, 95)"
    assert screenshot("home").stat().st_size > 10_000
