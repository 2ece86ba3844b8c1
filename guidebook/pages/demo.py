"""Demo flatpages for the embedded profile: About and Privacy on the current site."""

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

DEMO_PAGES = [
    (
        "/about/",
        "About Guidebook",
        "<p>Guidebook publishes <strong>illustrated guides</strong> written by people who have "
        "been there.</p><h2>Who we are</h2><p>A small team of walkers, cooks and photographers."
        '</p><p>Read <a href="/guides/">the guides</a> or <a href="/polls/">vote in a '
        "poll</a>.</p>",
    ),
    (
        "/privacy/",
        "Privacy",
        "<p>We keep what you give us (your account, your images, your votes) and nothing more."
        "</p><h2>Cookies</h2><p>One session cookie when you log in, and one to protect forms."
        "</p><h2>Images</h2><p>Location data is removed from every photo you upload.</p>",
    ),
]


def seed(*, stdout) -> None:
    site = Site.objects.get(pk=settings.SITE_ID)
    made = 0
    for url, title, content in DEMO_PAGES:
        page, created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        page.sites.add(site)
        made += created
    stdout.write(f"  pages: {made} new, {FlatPage.objects.count()} in all")
