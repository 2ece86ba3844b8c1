import pytest
from playwright.sync_api import expect

from guidebook.accounts.tests.factories import PASSWORD
from guidebook.images import services
from guidebook.images.models import Rendition
from guidebook.images.services import generate_renditions
from guidebook.images.tests.factories import create_image, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_reloads_itself_when_the_renditions_are_ready(page, monkeypatch):
    # A worker that has not got to it yet: nothing is queued, and the test plays the worker
    # below. (A real worker from other tests may be running in this session.)
    monkeypatch.setattr(services, "queue_renditions", lambda image_id: None)
    image = create_image(data=image_bytes(size=(900, 600), color=(10, 120, 60)))
    assert not Rendition.objects.filter(image=image).exists()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", image.owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.stacked button[type=submit]").click()

    page.goto(image.get_absolute_url())
    expect(page.get_by_text("Preparing renditions")).to_be_visible()
    generate_renditions(image_id=image.pk)  # the worker's part
    expect(page.locator("picture source[type='image/webp']")).to_have_count(1, timeout=10_000)
    expect(page.get_by_text("Preparing renditions")).to_have_count(0)
