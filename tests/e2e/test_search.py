import pytest
from haystack import connections

from guidebook.guides.tests.factories import GuideFactory
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
