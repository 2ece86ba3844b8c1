"""Text responses are gzipped for clients that accept it, unless they may hold a secret of the
client's (core/compression.py): nothing a signed-in reader or a page with a CSRF token gets is
compressed, so BREACH has nothing to recover."""

import gzip

import pytest
from django.conf import settings
from django.urls import reverse

from guidebook.accounts.tests.factories import UserFactory
from guidebook.guides.tests.factories import GuideFactory
from guidebook.images import storage
from guidebook.images.tests.factories import create_image
from guidebook.polls.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
GZIP = {"accept-encoding": "gzip, deflate, br, zstd"}  # what browsers send


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def assert_gzipped(response):
    assert response["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(response)
    assert int(response["Content-Length"]) == len(response.content)
    return gzip.decompress(response.content)


def assert_plain(response):
    assert "Content-Encoding" not in response
    assert "accept-encoding" not in vary(response)  # the same whatever the client accepts


@pytest.fixture
def public(committed):
    """A guide, a poll and an image, committed (the page cache sees them), and their URLs."""

    def build():
        guide = GuideFactory(title="Lisbon by tram")
        GuideFactory.create_batch(5)  # a sitemap section long enough to be worth compressing
        poll = QuestionFactory(text="Tram or walk?", choices=["Tram", "Walk"])
        image = create_image(description="Tram 28 at dusk")
        return guide, poll, image

    guide, poll, image = committed(build)
    return {
        "home": reverse("home"),
        "guide": guide.get_absolute_url(),
        "guide list": reverse("guides:list"),
        "poll": reverse("polls:detail", args=[poll.pk]),
        "poll results": reverse("polls:results", args=[poll.pk]),
        "search results": reverse("search:index") + "?q=tram",
        "rss feed": reverse("guides:feed_rss"),
        "atom feed": reverse("guides:feed_atom"),
        "sitemap": reverse("sitemap"),
        "sitemap section": "/sitemap-guides.xml",
        "image file": storage.file_url(image.file.name, private=False),
    }


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "guide",
        "guide list",
        "poll",
        "poll results",
        "search results",
        "rss feed",
        "atom feed",
        "sitemap",
        "sitemap section",
    ],
)
def test_an_anonymous_page_is_gzipped_and_unzips_to_the_plain_page(client, public, name):
    plain = client.get(public[name])
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    assert "accept-encoding" in vary(plain)  # caches keep the two apart
    assert assert_gzipped(client.get(public[name], headers=GZIP)) == plain.content


def test_a_client_that_accepts_no_gzip_gets_the_page_as_it_is(client, public):
    for accepted in ("identity", "br", ""):
        response = client.get(public["home"], headers={"accept-encoding": accepted})
        assert "Content-Encoding" not in response
        assert b"Lisbon by tram" in response.content


def test_the_gzip_header_carries_djangos_random_bytes(client, public):
    """Django's "Heal The Breach": 0-99 bytes of file name in each gzip header."""
    response = client.get(public["home"], headers=GZIP)
    assert response.content[3] & gzip.FNAME


def test_head_is_answered_with_the_gzipped_pages_headers(client, public):
    # From outside INTERNAL_IPS, to whom admindocs' XViewMiddleware answers HEAD with no page.
    response = client.head(public["home"], headers=GZIP, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"


def test_a_signed_in_readers_pages_are_never_compressed(client, public):
    """Even those that set no cookie and show nothing of theirs, like the feeds."""
    client.force_login(UserFactory())
    for name in ("home", "poll", "search results", "rss feed", "sitemap"):
        response = client.get(public[name], headers=GZIP)
        assert response.status_code == 200
        assert_plain(response)
        if name in ("rss feed", "sitemap"):  # no token, no cookie: the session alone decides
            assert not response.cookies
    # The poll's page shows the vote form, with its CSRF token.
    assert b"csrfmiddlewaretoken" in client.get(public["poll"], headers=GZIP).content


def test_an_anonymous_readers_session_keeps_their_pages_uncompressed(client, public):
    """A session without a sign-in (a password reset half done keeps its token there)."""
    session = client.session
    session["note"] = "something of theirs"
    session.save()
    for name in ("home", "atom feed"):
        response = client.get(public[name], headers=GZIP)
        assert not response.cookies
        assert_plain(response)


@pytest.mark.parametrize("name", ["accounts:login", "accounts:signup", "accounts:password_reset"])
def test_an_anonymous_page_with_a_csrf_token_is_never_compressed(client, name):
    for _ in range(2):  # without the CSRF cookie, then with the one the first answer set
        response = client.get(reverse(name), headers=GZIP)
        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" in response.content
        assert settings.CSRF_COOKIE_NAME in response.cookies
        assert_plain(response)
    assert settings.CSRF_COOKIE_NAME in client.cookies


def test_a_not_found_page_is_gzipped(client, db):
    response = client.get("/no-such-page/", headers=GZIP)
    assert response.status_code == 404
    assert b"<html" in assert_gzipped(response)


def test_redirects_and_tiny_responses_are_not_compressed(client, public):
    redirect = client.get(reverse("images:mine"), headers=GZIP)  # to the login page
    assert redirect.status_code == 302
    robots = client.get(reverse("robots_txt"), headers=GZIP)
    assert robots.status_code == 200 and len(robots.content) < 200  # Django's floor
    for response in (redirect, robots):
        assert "Content-Encoding" not in response


def test_image_files_are_streamed_as_they_are(client, public):
    response = client.get(public["image file"], headers=GZIP)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "image/jpeg"
    assert_plain(response)


def test_compression_comes_first_in_the_middleware_and_so_sees_the_csrf_cookie():
    assert settings.MIDDLEWARE[0] == "guidebook.core.compression.CompressionMiddleware"
