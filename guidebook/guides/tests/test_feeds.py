# Our own responses, parsed to check they are well-formed: not untrusted input.
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from .factories import DraftFactory, GuideFactory, TagFactory, future

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    return ET.fromstring(response.content)  # noqa: S314


@pytest.fixture
def guides():
    tag = TagFactory(name="harbour")
    return (
        GuideFactory(title="Public <one>", excerpt="Fish & ferries", tags=[tag]),
        DraftFactory(title="Draft one"),
        GuideFactory(title="Future one", pub_date=future()),
    )


def test_rss_feed_is_valid_and_lists_published_guides_only(client, guides):
    response = client.get(reverse("guides:feed_rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse(response).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Public <one>"]
    item = items[0]
    assert item.findtext("link").endswith(guides[0].get_absolute_url())
    assert item.findtext("description") == "Fish & ferries"
    assert "harbour" in [category.text for category in item.findall("category")]
    assert item.findtext("pubDate")


def test_atom_feed_is_valid_and_lists_published_guides_only(client, guides):
    response = client.get(reverse("guides:feed_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = parse(response).findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Public <one>"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.endswith(guides[0].get_absolute_url())


def test_feed_description_of_a_guide_without_excerpt_keeps_words_of_separate_blocks(client):
    GuideFactory(excerpt="", body="<h2>Harbour</h2><p>Lighthouse at dawn.</p>")
    item = parse(client.get(reverse("guides:feed_rss"))).find("channel").find("item")
    assert item.findtext("description") == "Harbour Lighthouse at dawn."
