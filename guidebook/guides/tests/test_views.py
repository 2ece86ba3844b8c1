from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guidebook.images.tests.factories import create_image

from .factories import (
    CategoryFactory,
    DraftFactory,
    GuideFactory,
    StaffFactory,
    TagFactory,
    UserFactory,
    attach,
    future,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio():
    """A published guide, a draft and a scheduled one, same category, same tag, same day."""
    category, tag = CategoryFactory(slug="coast"), TagFactory(slug="walking")
    day = timezone.now() - timedelta(days=1)
    published = GuideFactory(title="Published guide", category=category, tags=[tag], pub_date=day)
    draft = DraftFactory(title="Draft guide", category=category, tags=[tag], pub_date=day)
    scheduled = GuideFactory(
        title="Scheduled guide", category=category, tags=[tag], pub_date=future()
    )
    return published, draft, scheduled


def listing_urls(guide):
    local = timezone.localtime(guide.pub_date)
    return [
        reverse("guides:list"),
        reverse("guides:archive_year", args=[local.year]),
        reverse("guides:archive_month", args=[local.year, local.month]),
        reverse("guides:archive_day", args=[local.year, local.month, local.day]),
        reverse("guides:category", args=["coast"]),
        reverse("guides:tag", args=["walking"]),
    ]


def test_lists_and_archives_show_published_guides_only(client, trio):
    published = trio[0]
    for url in listing_urls(published):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Published guide" in body, url
        assert "Draft guide" not in body and "Scheduled guide" not in body, url


def test_lists_hide_drafts_from_their_author_and_staff_too(client, trio):
    client.force_login(StaffFactory())
    body = client.get(reverse("guides:list")).content.decode()
    assert "Draft guide" not in body and "Scheduled guide" not in body


def test_published_guide_detail_is_public(client, trio):
    response = client.get(trio[0].get_absolute_url())
    assert response.status_code == 200
    assert b"draft-banner" not in response.content


@pytest.mark.parametrize("which", [1, 2])
def test_drafts_and_scheduled_guides_are_404_for_the_public(client, trio, which):
    assert client.get(trio[which].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("which", [1, 2])
def test_drafts_and_scheduled_guides_are_404_for_other_readers(client, trio, which):
    client.force_login(UserFactory())
    assert client.get(trio[which].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("which", [1, 2])
def test_author_sees_own_draft_or_scheduled_guide_with_a_banner(client, trio, which):
    client.force_login(trio[which].author)
    response = client.get(trio[which].get_absolute_url())
    assert response.status_code == 200
    assert b'class="draft-banner"' in response.content


def test_staff_see_any_draft_with_a_banner(client, trio):
    client.force_login(StaffFactory())
    response = client.get(trio[1].get_absolute_url())
    assert response.status_code == 200
    assert b"Draft: only you and the editors" in response.content


def test_detail_shows_images_in_order_with_captions_tags_category_and_related(client):
    tag = TagFactory(name="food", slug="food")
    guide = GuideFactory(tags=[tag])
    related = GuideFactory(title="Another food guide", tags=[tag])
    DraftFactory(title="Hidden draft", tags=[tag])
    owner = UserFactory()
    second, first = create_image(owner=owner), create_image(owner=owner)
    attach(guide, second, position=2, caption="Second caption")
    attach(guide, first, position=1, caption="First caption")
    private = create_image(owner=owner, visibility="private")
    attach(guide, private, position=3, caption="Private caption")
    body = client.get(guide.get_absolute_url()).content.decode()
    assert body.index("First caption") < body.index("Second caption")
    assert "Private caption" not in body
    assert body.count("<picture>") >= 2
    assert "#food" in body and guide.category.name in body
    assert related.title in body and "Hidden draft" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/guides/2024/13/",
        "/guides/2024/0/",
        "/guides/0/",
        "/guides/9999/",
        "/guides/2024/2/30/",
        "/guides/2024/1/32/",
        "/guides/2024/1/32/some-slug/",
        "/guides/2024/13/1/some-slug/",
        "/guides/123456789012345678901234567890/",
        "/guides/2024/1/1/no-such-guide/",
        "/guides/category/nothing/",
        "/guides/tag/nothing/",
        "/guides/2024/1/1/bad%20slug/",
        "/guides/?page=abc",
        "/guides/?page=999",
        "/guides/1999/",
    ],
)
def test_malformed_or_unknown_url_parts_are_404(client, path):
    GuideFactory()
    assert client.get(path).status_code == 404


def test_list_is_paginated(client):
    for _ in range(12):
        GuideFactory()
    assert len(client.get(reverse("guides:list")).context["page_obj"]) == 10
    assert len(client.get(reverse("guides:list") + "?page=2").context["page_obj"]) == 2


def test_year_archive_links_months(client):
    guide = GuideFactory()
    local = timezone.localtime(guide.pub_date)
    body = client.get(reverse("guides:archive_year", args=[local.year])).content.decode()
    assert reverse("guides:archive_month", args=[local.year, local.month]) in body


def test_card_of_a_guide_without_excerpt_reads_its_blocks_as_separate_words(client):
    GuideFactory(excerpt="", body="<h2>Harbour</h2><p>Lighthouse at dawn.</p><p>Boots</p>")
    html = client.get(reverse("guides:list")).content.decode()
    assert "<p>Harbour Lighthouse at dawn. Boots</p>" in html
    assert "HarbourLighthouse" not in html


def test_search_index_text_of_a_guide_keeps_words_of_separate_blocks():
    from django.template.loader import render_to_string

    guide = GuideFactory(excerpt="", body="<h2>Harbour</h2><p>Lighthouse<br>pier</p>")
    text = render_to_string("search/indexes/guides/guide_text.txt", {"object": guide})
    assert "Harbour Lighthouse pier" in text.splitlines()


def article(client, guide) -> str:
    """The guide page's <article>, without the related guides after it."""
    page = client.get(guide.get_absolute_url()).content.decode()
    return page[page.index('<article class="guide">') : page.index("</article>")]


def test_the_cover_comes_first_eager_with_its_caption_and_the_other_pictures_after_the_text(
    client,
):
    guide = GuideFactory(body="<p>The body text.</p>")
    owner = UserFactory()
    for position in range(3):
        attach(guide, create_image(owner=owner), position=position, caption=f"Caption {position}")
    html = article(client, guide)
    cover = html[html.index('<figure class="guide-cover">') : html.index("</figure>")]
    assert 'loading="eager"' in cover and "<figcaption>Caption 0</figcaption>" in cover
    assert html.index("guide-cover") < html.index("<h1>") < html.index("The body text.")
    gallery = html[html.index('<section class="guide-gallery"') :]
    assert html.index("The body text.") < html.index('<section class="guide-gallery"')
    assert "Caption 0" not in gallery
    assert gallery.index("Caption 1") < gallery.index("Caption 2")
    assert gallery.count('loading="lazy"') == 2


def test_each_gallery_picture_links_to_its_larger_view_on_the_image_page(client):
    guide = GuideFactory()
    cover, other = create_image(), create_image(description="Harbour at noon")
    attach(guide, cover, position=0)
    attach(guide, other, position=1, caption="The ferry")
    html = article(client, guide)
    assert (
        f'<a class="gallery-link" href="{other.get_absolute_url()}" '
        'aria-label="Larger view: The ferry">' in html
    )
    page = client.get(guide.get_absolute_url()).content.decode()
    assert '<script src="/static/guides/gallery.js' in page


def test_a_guide_with_one_picture_has_a_cover_and_no_gallery(client):
    guide = GuideFactory()
    attach(guide, create_image(), caption="Only one")
    html = article(client, guide)
    assert "guide-cover" in html and "guide-gallery" not in html


def test_a_quotation_in_the_body_is_kept_as_a_blockquote_with_its_source(client):
    guide = GuideFactory(
        body="<p>Before.</p><blockquote><p>Go slowly.</p><p><cite>A regular</cite></p>"
        '</blockquote><p style="padding-left: 40px;">Indented.</p>'
    )
    body = article(client, guide)
    assert "<blockquote><p>Go slowly.</p><p><cite>A regular</cite></p></blockquote>" in body


def test_the_byline_names_the_author_by_display_name_linked_to_the_profile(client):
    author = UserFactory(username="ada")
    author.profile.display_name = "Ada Lovelace"
    author.profile.save()
    guide = GuideFactory(author=author, category=CategoryFactory(name="Coast"))
    html = article(client, guide)
    profile = reverse("accounts:profile", args=["ada"])
    assert f'By <a href="{profile}" rel="author">Ada Lovelace</a>' in html
    byline = html[html.index('class="guide-meta byline"') :]
    byline = byline[: byline.index("</p>")]
    assert "<time datetime=" in byline and "Coast" in byline and "1 min read" in byline


def test_the_byline_shows_the_reading_time_of_the_body(client):
    guide = GuideFactory(body="<p>" + "word " * 1150 + "</p>")
    assert "6 min read" in article(client, guide)


def test_the_lede_is_shown_once_when_the_body_opens_with_it(client):
    lede = "Fish stalls, ferries and where to sit."
    repeated = GuideFactory(excerpt=lede, body=f"<h2>Why go</h2><p>{lede} And more.</p>")
    assert article(client, repeated).count(lede) == 1
    assert 'class="lede"' not in article(client, repeated)
    apart = GuideFactory(excerpt=lede, body="<p>Something else.</p>")
    html = article(client, apart)
    assert html.count(lede) == 1 and f'<p class="lede">{lede}</p>' in html
