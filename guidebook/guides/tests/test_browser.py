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
    assert page.locator(".guide-images figure").count() == 2


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
    captions = page.locator(".guide-images figcaption")
    assert captions.all_inner_texts() == ["View number 1", "View number 2"]
    # The pictures were loaded (a broken image has naturalWidth 0).
    assert page.locator(".guide-images img").first.evaluate("img => img.naturalWidth") > 0
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
