# Our own responses, parsed to check they are well-formed: not untrusted input.
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from .factories import DraftFactory, GuideFactory, TagFactory, future

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


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


def test_sitemap_lists_published_guides_and_public_pages_only(client, guides):
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    site = Site.objects.get_current()
    about = FlatPage.objects.create(url="/about/", title="About", content="<p>Hi</p>")
    members = FlatPage.objects.create(
        url="/members/", title="Members", content="<p>Hi</p>", registration_required=True
    )
    about.sites.add(site)
    members.sites.add(site)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [loc.text for loc in parse(response).iter(f"{SITEMAP}loc")]
    assert any(loc.endswith(guides[0].get_absolute_url()) for loc in locations)
    assert any(loc.endswith("/about/") for loc in locations)
    assert not any(
        loc.endswith(("/members/", guides[1].get_absolute_url(), guides[2].get_absolute_url()))
        for loc in locations
    )
    assert len(locations) == 2


def test_feed_description_of_a_guide_without_excerpt_keeps_words_of_separate_blocks(client):
    GuideFactory(excerpt="", body="<h2>Harbour</h2><p>Lighthouse at dawn.</p>")
    item = parse(client.get(reverse("guides:feed_rss"))).find("channel").find("item")
    assert item.findtext("description") == "Harbour Lighthouse at dawn."
