"""The pages as a reader sees them, on a desktop screen and on a phone (390 px wide), with the
demo content: the home page's hero and grid, a one-row header with a menu on the phone, dates on
one line, nothing wider than the screen. Writes the screenshots the README shows."""

import pytest

from guidebook.guides.models import Guide

from .workers import seed_demo_with_renditions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def demo(renditions_worker):
    seed_demo_with_renditions()
    return Guide.objects.published().order_by("-pub_date").first()


def load(page, url: str):
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("load")
    # Lazy pictures load as they come into view: scroll through, so the screenshot shows them.
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
                scrollTo(0, y);
                await new Promise((done) => setTimeout(done, 50));
            }
            scrollTo(0, 0);
        }"""
    )
    page.wait_for_function(
        "[...document.images].every((img) => img.complete && img.naturalWidth > 0)"
    )
    return response


def overflow(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth - innerWidth")


def wrapped_dates(page) -> list[str]:
    return page.evaluate(
        """[...document.querySelectorAll('time')]
            .filter((t) => t.offsetParent && t.getClientRects().length > 1)
            .map((t) => t.textContent)"""
    )


def test_the_home_page_on_a_desktop_screen(browser, live_server, demo, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    load(page, "/")
    hero = page.locator(".home-hero")
    assert hero.locator("h2").inner_text() == Guide.objects.featured().latest("pub_date").title
    assert hero.locator("img").evaluate("img => img.naturalWidth") > 0
    # No list under the cards repeats their titles, and the hero is not among them.
    cards = page.locator("#latest-guides .guide-card h3").all_inner_texts()
    assert cards and hero.locator("h2").inner_text() not in cards
    assert page.locator("#latest-guides li").count() == 0
    # The current poll's choices are on the page; the grid's columns sit side by side.
    assert page.locator("#current-poll .home-choices li").count() >= 2
    guides_box = page.locator("#latest-guides").bounding_box()
    poll_box = page.locator("#current-poll").bounding_box()
    assert poll_box["x"] > guides_box["x"] + guides_box["width"] - 1
    assert page.locator(".menu-button").is_hidden()
    assert overflow(page) <= 0 and wrapped_dates(page) == []
    screenshot("home", of=page)
    # Again, from the page cache: gzipped from its stored pieces, as Chromium reads it.
    again = load(page, "/")
    assert again.headers.get("content-encoding") == "gzip"
    assert page.locator(".home-hero h2").inner_text() == hero.locator("h2").inner_text()
    load(page, demo.get_absolute_url())
    screenshot("guide-detail", of=page)
    context.close()


def test_on_a_phone_the_header_is_one_row_with_a_menu(browser, live_server, demo, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    for url in ["/", demo.get_absolute_url(), "/guides/", "/images/", "/polls/"]:
        load(page, url)
        header = page.locator(".site-header").bounding_box()
        brand = page.locator(".brand").bounding_box()
        assert header["height"] < 80, url  # one row: the brand and the menu button
        assert page.locator(".menu-button").bounding_box()["y"] < brand["y"] + brand["height"]
        assert page.locator(".site-nav").is_hidden(), url
        assert overflow(page) <= 0, url
        assert wrapped_dates(page) == [], url
        widest = page.evaluate("Math.max(...[...document.images].map((i) => i.clientWidth))")
        assert widest <= PHONE["width"], url
    load(page, "/")
    screenshot("phone-home", of=page)
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    assert page.locator(".site-nav").get_by_role("link", name="Guides").is_visible()
    assert page.get_by_role("searchbox").is_visible()
    screenshot("phone-menu", of=page, full_page=False)
    page.keyboard.press("Escape")
    assert page.locator(".site-nav").is_hidden()
    page.get_by_role("button", name="Menu").click()
    page.locator(".site-nav").get_by_role("link", name="Guides").click()
    page.wait_for_url("**/guides/")
    load(page, demo.get_absolute_url())
    screenshot("phone-guide", of=page)
    context.close()
