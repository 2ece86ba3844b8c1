import pytest
from haystack import connections
from playwright.sync_api import expect

from guidebook.guides.tests.factories import GuideFactory, TagFactory
from guidebook.images.tests.factories import create_image, image_bytes
from guidebook.polls.tests.factories import QuestionFactory
from guidebook.search.services import index_object

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_header_shows_highlighted_results(page, screenshot):
    connections["default"].get_backend().clear()
    guide = GuideFactory(
        title="Lisbon by tram",
        excerpt="Tram 28 <b>climbs</b> the hills.",
        body="<p>Ride the yellow tram through Alfama.</p>",
    )
    index_object(model_label="guides.guide", pk=guide.pk)

    page.goto("/")
    page.get_by_role("searchbox").fill("tram")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=tram*")
    result = page.get_by_role("link", name="Lisbon by tram")
    assert result.is_visible()
    marks = page.locator("mark").all_inner_texts()
    assert marks and all(text.lower().startswith("tram") for text in marks)
    assert page.locator("b").count() == 0  # the document's markup arrives escaped, not as HTML
    screenshot("search")


def test_mixed_results_show_badges_body_snippets_and_image_thumbnails(page, screenshot):
    connections["default"].get_backend().clear()
    guide = GuideFactory(
        title="A weekend in Sintra",
        excerpt="Palaces in the fog, and a train back before dinner.",
        body="<p>Take the early train from Rossio.</p>",
        tags=[TagFactory(name="palaces")],
    )
    image = create_image(
        data=image_bytes(size=(800, 600), color=(180, 90, 40)),
        name="IMG_20240611.jpg",
        description="Pena palace above the trees",
    )
    poll = QuestionFactory(text="Which palace first?", choices=["Pena", "Monserrate"])
    for obj in (guide, image, poll):
        index_object(model_label=obj._meta.label_lower, pk=obj.pk)

    page.goto("/search/?q=palace")
    hits = page.locator(".search-hit")
    expect(hits).to_have_count(3)
    badges = sorted(page.locator(".search-hit-kind").all_inner_texts())
    assert badges == ["Guide", "Image", "Poll"]
    guide_hit = page.locator(".search-hit.kind-guide")
    expect(guide_hit.locator(".search-hit-snippet")).to_have_text(
        "Palaces in the fog, and a train back before dinner."
    )
    thumbnail = page.locator(".search-hit.kind-image .search-hit-thumbnail img")
    expect(thumbnail).to_be_visible()
    thumbnail.evaluate("img => img.decode()")  # fails unless the picture loads
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    box = thumbnail.bounding_box()
    assert box and round(box["width"]) == 96 and round(box["height"]) == 72
    assert "IMG_20240611" not in page.content()
    screenshot("search-mixed")
