"""The sitemap: an index of one section per kind of public page, every URL in it loads, nothing
private or unpublished is in it, and lastmod says when a page last changed."""

from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.utils import timezone

from guidebook.guides.tests.factories import (
    CategoryFactory,
    DraftFactory,
    GuideFactory,
    TagFactory,
    future,
)
from guidebook.images.tests.factories import create_image
from guidebook.polls.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own response


def sitemap_urls(client) -> dict[str, str | None]:
    """Every <loc> of every section the index names, with its <lastmod>."""
    urls = {}
    for section in xml(client, "/sitemap.xml").iter(f"{NS}loc"):
        for entry in xml(client, urlsplit(section.text).path).iter(f"{NS}url"):
            urls[urlsplit(entry.findtext(f"{NS}loc")).path] = entry.findtext(f"{NS}lastmod")
    return urls


@pytest.fixture
def content():
    site = Site.objects.get_current()
    pages = {}
    for url, members in (("/about/", False), ("/members/", True)):
        pages[url] = FlatPage.objects.create(
            url=url, title=url, content="<p>Hi</p>", registration_required=members
        )
        pages[url].sites.add(site)
    category, tag = CategoryFactory(name="Coast"), TagFactory(name="harbour")
    return {
        "guide": GuideFactory(category=category, tags=[tag]),
        "category": category,
        "tag": tag,
        "draft": DraftFactory(category=CategoryFactory(name="Only drafts")),
        "scheduled": GuideFactory(pub_date=future()),
        "poll": QuestionFactory(choices=["Yes", "No"]),
        "future poll": QuestionFactory(
            choices=["Yes"], pub_date=timezone.now() + timedelta(days=3)
        ),
        "image": create_image(visibility="public"),
        "private image": create_image(visibility="private"),
    }


def test_every_kind_of_public_page_is_listed_and_loads(client, content):
    urls = sitemap_urls(client)
    for name in ("guide", "category", "tag", "poll", "image"):
        assert content[name].get_absolute_url() in urls, name
    for path in ("/", "/guides/", "/polls/", "/images/", "/about/"):
        assert path in urls, path
    for path in urls:
        assert client.get(path).status_code == 200, path


def test_nothing_unpublished_or_private_is_listed(client, content):
    urls = sitemap_urls(client)
    for name in ("draft", "scheduled", "future poll", "private image"):
        assert content[name].get_absolute_url() not in urls, name
    assert content["draft"].category.get_absolute_url() not in urls
    assert "/members/" not in urls


def test_lastmod_is_when_the_page_last_changed(client, content):
    guide = content["guide"]
    type(guide).objects.filter(pk=guide.pk).update(
        updated=timezone.now() - timedelta(days=30), pub_date=timezone.now() - timedelta(days=2)
    )
    guide.refresh_from_db()
    urls = sitemap_urls(client)
    published = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert urls[guide.get_absolute_url()].startswith(published)  # published after its last edit
    assert urls[content["category"].get_absolute_url()].startswith(published)
    assert urls["/"] is not None and urls["/guides/"] is not None
