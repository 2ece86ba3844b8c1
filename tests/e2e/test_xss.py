"""Every XSS fixture, in rich text and in every title a visitor sees, runs nothing in Chromium
with the site's Content-Security-Policy enforced."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse

from guidebook.guides.tests.factories import CategoryFactory, GuideFactory, TagFactory
from guidebook.guides.tests.test_sanitize import PAYLOADS
from guidebook.images.tests.factories import create_image, image_bytes
from guidebook.polls.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARMED = "alert(1);window.__xss=1"
# The title that ran script for every visitor before titles were text everywhere (issue 15).
COMPRESSOR = '<script src="/tinymce/compressor/?js=true&plugins=x,alert(1)"></script>'
TITLES = [COMPRESSOR, *(payload.replace("window.__xss = 1", ARMED) for payload, _ in PAYLOADS)]


@pytest.fixture
def hostile_site():
    """One guide, page, image and poll per fixture, each titled with it."""
    urls = [reverse("home"), reverse("guides:list"), reverse("polls:index")]
    urls.append(reverse("images:index"))
    site = Site.objects.get_current()
    for number, title in enumerate(TITLES):
        short = title[:190]
        category = CategoryFactory(name=f"{number} {title[:90]}", slug=f"c{number}")
        tag = TagFactory(name=f"{number}{title[:40]}", slug=f"t{number}")
        guide = GuideFactory(title=short, excerpt=short, body=title, category=category, tags=[tag])
        page = FlatPage.objects.create(url=f"/hostile-{number}/", title=short, content=title)
        page.sites.add(site)
        image = create_image(data=image_bytes(color=(number, 40, 90)), description=short)
        poll = QuestionFactory(text=short, choices=[short, "Neither"])
        urls += [guide.get_absolute_url(), page.url, image.get_absolute_url()]
        urls += [poll.get_absolute_url(), reverse("polls:results", args=[poll.pk])]
        urls += [category.get_absolute_url(), tag.get_absolute_url()]
    return urls


def test_no_fixture_runs_anywhere_it_is_shown(page, hostile_site):
    seen = {"dialogs": [], "refusals": []}
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and seen["refusals"].append(msg.text),
    )
    for url in hostile_site:
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        for link in page.locator(".guide-body a, .flatpage a").all():  # any onmouseover left
            if link.is_visible():
                link.hover(timeout=2_000)
        assert page.evaluate("typeof window.__xss") == "undefined", url
    assert seen["dialogs"] == []
    # Not even refused by the CSP: nothing injected got as far as asking to run.
    assert seen["refusals"] == []
