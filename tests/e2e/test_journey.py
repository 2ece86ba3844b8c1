"""The journey of issue 9, end to end: Chromium against the live server, a real Celery worker on
RabbitMQ, PostgreSQL, and the events relay and consumer run from the test thread.

A visitor signs up (confirming the address from the e-mail) and uploads two images; an editor
writes a guide in the admin with them and a poll and publishes it; the guide shows on the home page
(and in its activity feed), in the RSS feed and in search; the visitor votes once, and a second
vote is refused; the visitor makes an image private and it leaves the gallery. Each step saves a
screenshot, journey-<n>-<what>.png
(`make screenshots` refreshes the ones in docs/screenshots).
"""

import re
import time

import pytest
from django.core import mail
from django.core.management import call_command
from haystack import connections
from playwright.sync_api import expect

from guidebook.accounts.tests.factories import PASSWORD, StaffFactory
from guidebook.events.models import Activity, Outbox
from guidebook.guides.models import Guide
from guidebook.images.models import Image
from guidebook.images.tests.factories import image_bytes
from guidebook.polls.tests.factories import QuestionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

TITLE = "Porto by funicular"
SEARCH_WORD = "funicular"
WAIT = 20  # seconds for the worker's renditions and search indexing


def reload_until(page, url, locator, count=1, timeout=WAIT):
    """Open `url` again and again until `locator` matches at least `count` elements."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        found = page.locator(locator).count()
        if found >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: {found} of {count} {locator!r} after {timeout} s")
        time.sleep(0.5)


def relay_and_consume_events():
    """What the relay and the activity consumer processes do, once, in this thread."""
    call_command("consume_events", "--queue", "activity", "--timeout", "0.5")  # declare its queue
    pending = Outbox.objects.pending().count()
    assert pending, "the journey so far published no events"
    call_command("relay_events", "--once")
    deadline = time.monotonic() + WAIT
    # Messages left in the durable queue by an interrupted run come first: consume until ours.
    while not Activity.objects.filter(type="guides.guide.published").exists():
        assert time.monotonic() < deadline, "the activity consumer recorded no guide"
        call_command(
            "consume_events",
            "--queue",
            "activity",
            "--max-messages",
            str(pending),
            "--timeout",
            "5",
        )


def login(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def editor_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_journey(page, editor_page, screenshot, celery_worker, tmp_path, live_server, settings):
    connections["default"].get_backend().clear()

    # 1. A visitor signs up, confirms the address from the e-mail and uploads two images; the
    # worker makes their renditions.
    page.goto("/accounts/signup/")
    page.fill("#id_username", "maria")
    page.fill("#id_email", "maria@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    (confirmation,) = [m for m in mail.outbox if m.to == ["maria@example.com"]]
    page.goto(re.search(r"https?://\S+/accounts/activate/\S+/", confirmation.body).group(0))
    expect(page.get_by_text("Welcome to Guidebook!")).to_be_visible()
    screenshot("journey-1-signed-up")

    files = []
    for number, color in enumerate([(200, 80, 40), (40, 160, 90)], start=1):
        path = tmp_path / f"porto-{number}.jpg"
        path.write_bytes(image_bytes(size=(1600, 1000), color=color, noise=True))
        files.append(str(path))
    page.goto("/images/upload/")
    page.set_input_files("#id_image", files)
    page.fill("#id_description", "Ribeira from the funicular")
    page.select_option("#id_visibility", "public")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("2 image(s) uploaded.")).to_be_visible()
    # No reloading by hand: the page polls and reloads itself once the worker is done.
    if "/images/mine/" not in page.url:
        page.goto("/images/mine/")
    expect(page.locator(".image-card picture source[type='image/webp']")).to_have_count(
        2, timeout=WAIT * 1000
    )
    screenshot("journey-1-renditions")
    images = list(Image.objects.filter(owner__username="maria").order_by("pk"))
    assert len(images) == 2 and all(image.renditions.exists() for image in images)

    # 2. An editor writes the guide in the admin, with both images in order, and publishes it.
    editor = StaffFactory(username="editor")
    login(editor_page, editor.username)
    editor_page.goto("/admin/guides/guide/add/")
    editor_page.locator("#id_title").press_sequentially(TITLE)  # typed: the slug follows
    expect(editor_page.locator("#id_slug")).to_have_value("porto-by-funicular")  # admin's JS
    editor_page.fill("#id_excerpt", "The Guindais funicular climbs from the river to Batalha.")
    body = editor_page.frame_locator(".tox-edit-area__iframe").locator("body")
    body.click()
    body.press_sequentially("Take the Guindais funicular up from Ribeira.")
    editor_page.select_option("#id_status", "published")
    editor_page.fill("#id_guide_images-0-image", str(images[0].pk))
    editor_page.fill("#id_guide_images-0-position", "1")
    editor_page.locator("#guide_images-group .add-row a").click()
    editor_page.fill("#id_guide_images-1-image", str(images[1].pk))
    editor_page.fill("#id_guide_images-1-position", "2")
    screenshot("journey-2-admin-form", of=editor_page)
    editor_page.locator("input[name=_save]").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("was added successfully")

    guide = Guide.objects.get(slug="porto-by-funicular")
    assert guide.status == Guide.Status.PUBLISHED and guide.author == editor
    assert "Guindais funicular" in guide.body
    assert list(guide.guide_images.order_by("position").values_list("image", flat=True)) == [
        image.pk for image in images
    ]
    QuestionFactory(text="Funicular or stairs?", choices=["Funicular", "Stairs"], guide=guide)

    # 3. The guide is on the home page (with its activity), in the RSS feed and in search.
    relay_and_consume_events()
    page.goto("/")
    expect(page.locator("main").get_by_role("link", name=TITLE).first).to_be_visible()
    expect(page.locator("#recent-activity")).to_contain_text(f"published “{TITLE}”")
    expect(page.locator("#recent-activity")).to_contain_text("maria shared an image")
    screenshot("journey-3-home")

    rss = page.request.get("/guides/feed/rss/")
    assert rss.ok and TITLE in rss.text()

    reload_until(page, f"/search/?q={SEARCH_WORD}", f"a:has-text('{TITLE}')")
    marks = page.locator("mark").all_inner_texts()
    assert marks and all(text.lower().startswith(SEARCH_WORD) for text in marks)
    screenshot("journey-3-search")

    # 4. The visitor votes in the guide's poll, sees the chart; a second vote is refused.
    page.goto(guide.get_absolute_url())
    expect(page.locator("article.guide picture")).to_have_count(2)  # cover, gallery
    page.get_by_role("link", name="Funicular or stairs?").click()
    second_tab = page.context.new_page()
    second_tab.goto(page.url)  # the form, still open in another tab after the vote

    page.get_by_label("Funicular", exact=True).check()
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("Thank you: your vote has been counted.")).to_be_visible()
    expect(page.locator(".tally-row.is-yours")).to_contain_text("Funicular")
    expect(page.locator(".tally-row.is-yours .tally-fill")).to_have_attribute(
        "style", "width: 100.0%"
    )
    screenshot("journey-4-voted")

    second_tab.get_by_label("Stairs", exact=True).check()
    second_tab.get_by_role("button", name="Vote").click()
    expect(second_tab.get_by_text("You already voted in this poll.")).to_be_visible()
    expect(second_tab.locator(".poll-meta")).to_contain_text("1 vote in total")
    screenshot("journey-4-already-voted", of=second_tab)
    second_tab.close()

    # 5. The visitor makes one image private: it leaves the public gallery.
    page.goto("/images/")
    expect(page.locator(".image-card")).to_have_count(2)
    page.goto(f"/images/{images[1].pk}/edit/")
    page.select_option("#id_visibility", "private")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your changes have been saved.")).to_be_visible()
    page.goto("/images/")
    expect(page.locator(".image-card")).to_have_count(1)
    expect(page.locator(f".image-card a[href='/images/{images[1].pk}/']")).to_have_count(0)
    screenshot("journey-5-gallery")
    # ... and leaves the search index, through the worker.
    private_link = f"a[href='/images/{images[1].pk}/']"
    deadline = time.monotonic() + WAIT
    while True:
        page.goto("/search/?q=ribeira&kind=image")
        if page.locator(private_link).count() == 0:
            break
        assert time.monotonic() < deadline, "the private image is still in search results"
        time.sleep(0.5)
    expect(page.locator(f"a[href='/images/{images[0].pk}/']").first).to_be_visible()
    # Its owner gets a signed URL, which works without a session and stops working on expiry.
    settings.IMAGE_SIGNED_URL_EXPIRE = 2
    page.goto(f"/images/{images[1].pk}/")
    signed = page.locator("main img").first.get_attribute("src")
    assert signed.startswith("/images/file/")
    stranger = page.context.browser.new_context(base_url=live_server.url)
    try:
        assert stranger.request.get(signed).status == 200
        time.sleep(3)
        assert stranger.request.get(signed).status == 403
    finally:
        stranger.close()
