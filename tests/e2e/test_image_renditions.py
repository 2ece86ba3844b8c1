import pytest
from playwright.sync_api import expect

from guidebook.accounts.tests.factories import PASSWORD
from guidebook.images.models import Rendition
from guidebook.images.tests.factories import create_image, image_bytes

from .workers import consumer_paused

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


def test_the_page_reloads_itself_when_the_renditions_are_ready(page, celery_worker):
    # Every worker is busy: the upload's task waits on the broker while the page is open.
    with consumer_paused(celery_worker, "images.generate_renditions"):
        image = create_image(data=image_bytes(size=(900, 600), color=(10, 120, 60)))
        page.goto("/accounts/login/")
        page.fill("input[name=username]", image.owner.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form.stacked button[type=submit]").click()
        page.goto(image.get_absolute_url())
        expect(page.get_by_text("Preparing renditions")).to_be_visible()
        assert not Rendition.objects.filter(image=image).exists()
    # The worker takes the queue again and makes them; the open page follows by itself.
    expect(page.locator("picture source[type='image/webp']")).to_have_count(1, timeout=20_000)
    expect(page.get_by_text("Preparing renditions")).to_have_count(0)
