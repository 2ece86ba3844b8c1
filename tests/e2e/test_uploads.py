"""The upload page's script in Chromium: files sent one by one with progress bars, straight to
the bucket (moto's S3 server, with the CORS rule docs/deploy.md gives) or through the site's
streaming view (the local disk), and their thumbnails shown once the worker has made them."""

import json
import re
from urllib.parse import parse_qs

import boto3
import pytest
from playwright.sync_api import expect

from conftest import ROOT
from guidebook.accounts.tests.factories import PASSWORD, UserFactory
from guidebook.images.models import DirectUpload, Image
from guidebook.images.tests.factories import image_bytes
from tests.e2e.workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 30_000  # ms, for the worker's checks and renditions

# Each file's states as the page shows them (data-state), recorded as they change: a file
# that is done quickly would otherwise pass "sending" and "checking" between two looks.
RECORD_STATES = """
window.uploadStates = {};
new MutationObserver((changes) => {
  for (const change of changes) {
    const name = change.target.querySelector(".upload-name").textContent;
    (window.uploadStates[name] = window.uploadStates[name] || []).push(change.oldValue);
  }
}).observe(document, {
  subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-state"],
});
"""


def documented_cors_rule(origin: str) -> dict:
    """The CORS configuration docs/deploy.md tells operators to put on the bucket, for the site
    at `origin` (moto refuses the browser's preflight for any other)."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    found = re.search(r"```json\n(\{\n  \"CORSRules\".*?)```", text, re.S)
    configuration = json.loads(found.group(1))
    (rule,) = configuration["CORSRules"]
    assert rule["AllowedOrigins"] == ["https://guidebook.example.com"]
    rule["AllowedOrigins"] = [origin]
    return configuration


def sign_in(page, user):
    page.add_init_script(RECORD_STATES)
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/images/upload/")


def photos(count: int) -> list[dict]:
    return [
        {
            "name": f"harbour-{n}.jpg",
            "mimeType": "image/jpeg",
            "buffer": image_bytes(size=(1600, 1200), color=(40 * n, 90, 160), noise=True),
        }
        for n in range(1, count + 1)
    ]


def expect_sent_in_full(page, files: list[dict]) -> None:
    """Each bar ends full, at the bytes of a request at least the file's size; and each file
    went through sending and checking to done."""
    for file in files:
        bar = page.locator(".upload-item", has_text=file["name"]).locator("progress")
        sent, total = bar.evaluate("bar => [bar.value, bar.max]")
        assert sent == total >= len(file["buffer"]), file["name"]
    states = page.evaluate("window.uploadStates")
    for file in files:
        item = page.locator(".upload-item", has_text=file["name"])
        seen = [*states[file["name"]], item.get_attribute("data-state")]
        assert seen.index("sending") < seen.index("checking") < seen.index("done"), seen


def site_requests(page) -> list:
    """The requests the page makes of the site's direct-upload URLs, as they go."""
    sent = []
    page.on("request", lambda request: "/images/uploads/" in request.url and sent.append(request))
    return sent


def test_three_files_go_straight_to_the_bucket_and_their_thumbnails_appear(
    page, live_server, screenshot, s3_storage, s3_bucket, moto_s3_endpoint, celery_worker
):
    bucket = boto3.client("s3", endpoint_url=moto_s3_endpoint)
    rule = documented_cors_rule(live_server.url)
    bucket.put_bucket_cors(Bucket=s3_bucket, CORSConfiguration=rule)
    owner = UserFactory()
    sign_in(page, owner)
    requests = site_requests(page)
    files = photos(3)
    notes = {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7"}
    page.set_input_files("#id_image", [*files, notes])
    expect(page.locator(".upload-item")).to_have_count(4)
    page.fill("#id_description", "The harbour at dawn")
    page.get_by_role("button", name="Upload", exact=True).click()

    thumbnails = page.locator(".upload-thumb img")
    expect(thumbnails).to_have_count(3, timeout=WAIT)
    refused = page.locator(".upload-item", has_text="notes.jpg")
    expect(refused.locator(".upload-status")).to_have_text(
        "Refused: This file is a PDF document. Only JPEG, PNG, GIF and WebP images are accepted.",
        timeout=WAIT,
    )
    for thumbnail in thumbnails.all():
        assert thumbnail.get_attribute("src").startswith(moto_s3_endpoint)
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("img => img.naturalWidth") > 0  # loaded, CSP allowing
    expect_sent_in_full(page, files)
    screenshot("upload-direct")

    # The site was asked about the four files together: their keys in one request, their
    # statuses in polls of all the pending ones at once.
    issues = [r for r in requests if r.method == "POST" and r.url.endswith("/images/uploads/")]
    assert len(issues) == 1 and len(parse_qs(issues[0].post_data)["name"]) == 4
    polls = [r for r in requests if r.method == "GET"]
    assert polls and all("/images/uploads/status/?ids=" in r.url for r in polls)
    assert any(r.url.count(",") >= 1 for r in polls)
    confirms = [r for r in requests if r.url.endswith("/images/uploads/done/")]
    assert sum(len(parse_qs(r.post_data)["key"]) for r in confirms) == 4

    # A retry of one file asks for its key alone, in the single-file form.
    with page.expect_request(lambda r: r.url.endswith("/images/uploads/")) as retried:
        refused.get_by_role("button", name="Retry notes.jpg").click()
    assert len(parse_qs(retried.value.post_data)["name"]) == 1
    wait_for(lambda: DirectUpload.objects.filter(error__contains="PDF").count() == 2, "refusal")
    expect(refused.locator(".upload-status")).to_have_text(
        re.compile("^Refused: This file is a PDF document."), timeout=WAIT
    )

    uploads = list(DirectUpload.objects.filter(image__isnull=False))
    assert len(uploads) == 3 and DirectUpload.objects.filter(error__contains="PDF").count() == 2
    assert Image.objects.filter(owner=owner, description="The harbour at dawn").count() == 3
    left = bucket.list_objects_v2(Bucket=s3_bucket, Prefix="incoming/").get("KeyCount")
    assert left == 0


def test_on_the_local_disk_files_stream_through_the_site_and_one_can_be_sent_again(
    page, renditions_worker
):
    owner = UserFactory()
    sign_in(page, owner)
    files = [*photos(2), {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7"}]
    page.set_input_files("#id_image", files)
    page.get_by_role("button", name="Cancel harbour-2.jpg").click()
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(page.locator(".upload-thumb img")).to_have_count(1, timeout=WAIT)
    refused = page.locator(".upload-item", has_text="notes.jpg")
    expect(refused.locator(".upload-status")).to_have_text(
        "Refused: notes.jpg: This file is a PDF document. Only JPEG, PNG, GIF and WebP images "
        "are accepted."
    )
    expect(refused.get_by_role("button", name="Retry notes.jpg")).to_be_visible()
    cancelled = page.locator(".upload-item", has_text="harbour-2.jpg")
    expect(cancelled.locator(".upload-status")).to_have_text("Cancelled.")
    assert Image.objects.filter(owner=owner).count() == 1

    cancelled.get_by_role("button", name="Retry harbour-2.jpg").click()
    expect(page.locator(".upload-thumb img")).to_have_count(2, timeout=WAIT)
    expect(page.get_by_text("2 image(s) uploaded.")).to_be_visible()
    expect_sent_in_full(page, files[:2])
    assert Image.objects.filter(owner=owner).count() == 2
    assert not DirectUpload.objects.exists()  # the local disk has no direct uploads
