"""In Chromium: a guide carrying the XSS corpus runs no injected script, and TinyMCE works in
the admin under the site's Content-Security-Policy."""

import pytest
from django.test import Client

from guidebook.images.demo import landscape
from guidebook.images.tests.factories import ImageFactory, create_image

from .factories import GuideFactory, StaffFactory, TagFactory, attach
from .test_sanitize import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    """Collect dialogs (alert/confirm/prompt) and console errors such as CSP refusals."""
    seen = {"dialogs": [], "errors": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    return seen


def test_guide_with_xss_payloads_runs_no_injected_script(page):
    body = "<h2>Getting there</h2><p>Take the early tram.</p>" + "".join(
        payload.replace("window.__xss=1", "alert(1);window.__xss=1").replace(
            "window.__xss = 1", "alert(1);window.__xss = 1"
        )
        for payload, _ in PAYLOADS
    )
    guide = GuideFactory(title="Harbour walk", excerpt="Fish stalls and ferries.", body=body)
    for position in range(2):
        attach(guide, ImageFactory(), position=position, caption=f"View number {position + 1}")
    seen = watch(page)
    response = page.goto(guide.get_absolute_url())
    assert response.status == 200
    page.wait_for_load_state("load")
    links = page.locator(".guide-body a")
    for number in range(links.count()):  # would fire any surviving onmouseover
        links.nth(number).hover()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert seen["dialogs"] == []
    assert page.locator("figure.guide-cover").count() == 1
    assert page.locator(".guide-gallery figure").count() == 1


def test_guide_detail_shows_its_pictures_in_order(page, screenshot):
    tag = TagFactory(name="harbour", slug="harbour")
    guide = GuideFactory(
        title="The harbour at noon",
        excerpt="Fish stalls, ferries and where to sit.",
        body="<h2>Why go</h2><p>The light is best at noon.</p><ul><li>Take the early tram."
        "</li><li>Bring water.</li></ul>",
        tags=[tag],
    )
    GuideFactory(title="A weekend by the sea", tags=[tag])
    for position, (sky, ground) in enumerate(
        [((120, 180, 235), (40, 90, 140)), ((244, 176, 120), (60, 80, 60))]
    ):
        image = create_image(data=landscape(sky, ground, position), description="Harbour")
        attach(guide, image, position=position, caption=f"View number {position + 1}")
    assert page.goto(guide.get_absolute_url()).status == 200
    captions = page.locator("article.guide figcaption")
    assert captions.all_inner_texts() == ["View number 1", "View number 2"]
    # The pictures were loaded (a broken image has naturalWidth 0).
    cover = page.locator(".guide-cover img")
    assert cover.evaluate("img => img.complete && img.naturalWidth") > 0
    assert page.get_by_role("link", name="A weekend by the sea").is_visible()
    screenshot("guide-detail")


def logged_in_as_staff(page, live_server):
    client = Client()
    client.force_login(StaffFactory())
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_tinymce_works_in_the_admin_under_the_site_csp(page, live_server):
    logged_in_as_staff(page, live_server)
    seen = watch(page)
    response = page.goto("/admin/guides/guide/add/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".tox-tinymce").first.wait_for(state="visible")
    editor = page.frame_locator(".tox-edit-area__iframe").first.locator("body")
    editor.click()
    editor.type("Written in TinyMCE")
    page.wait_for_function("tinymce.activeEditor.getContent().includes('Written in TinyMCE')")
    refusals = [error for error in seen["errors"] if "Content Security Policy" in error]
    assert refusals == []


def test_a_gallery_thumbnail_opens_a_larger_view_and_escape_closes_it(page):
    guide = GuideFactory(title="Harbour walk")
    for position, (sky, ground) in enumerate(
        [((120, 180, 235), (40, 90, 140)), ((244, 176, 120), (60, 80, 60))]
    ):
        image = create_image(data=landscape(sky, ground, position), description="Harbour")
        attach(guide, image, position=position, caption=f"View number {position + 1}")
    seen = watch(page)
    assert page.goto(guide.get_absolute_url()).status == 200
    thumbnail = page.get_by_role("link", name="Larger view: View number 2")
    thumbnail.click()
    dialog = page.locator("dialog.lightbox")
    dialog.wait_for(state="visible")
    assert page.url.endswith(guide.get_absolute_url())  # the script kept us on the page
    assert "View number 2" in dialog.locator("figcaption").inner_text()
    large = dialog.locator("img")
    page.wait_for_function("() => document.querySelector('dialog.lightbox img').complete")
    # sizes="100vw": the browser took the large rendition, not the thumbnail's.
    assert large.evaluate("img => img.naturalWidth") > 400
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert seen["errors"] == []


def test_without_script_a_gallery_thumbnail_is_a_link_to_the_image_page(browser, live_server):
    guide = GuideFactory(title="Harbour walk")
    for position in range(2):
        attach(guide, create_image(), position=position, caption=f"View number {position + 1}")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(guide.get_absolute_url())
    page.get_by_role("link", name="Larger view: View number 2").click()
    page.wait_for_url("**/images/*/")
    assert page.locator("h1").count() == 1
    context.close()
