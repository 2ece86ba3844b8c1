import re

import pytest
from django.urls import reverse

from guidebook.images.models import Image

from .factories import StaffFactory, UserFactory, create_image, image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def post_upload(client, *files, visibility="public", description="Seen from the ridge", **headers):
    return client.post(
        reverse("images:upload"),
        {"image": list(files), "description": description, "visibility": visibility},
        headers=headers,
    )


def test_upload_needs_a_login(client):
    response = client.get(reverse("images:upload"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_upload_form_renders_with_a_multiple_file_input(logged_in):
    response = logged_in.get(reverse("images:upload"))
    assert response.status_code == 200
    assert re.search(rb'<input type="file" name="image"[^>]* multiple', response.content)


def test_uploading_one_image_leads_to_its_page(logged_in, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(logged_in, upload(image_bytes(size=(2000, 1000)), "ridge.jpg"))
    image = Image.objects.get()
    assert response.status_code == 302 and response["Location"] == image.get_absolute_url()
    assert (image.owner, image.description, image.original_name) == (
        user,
        "Seen from the ridge",
        "ridge.jpg",
    )
    page = logged_in.get(image.get_absolute_url())
    assert b'type="image/webp"' in page.content
    assert b"400w.webp 400w" in page.content and b"1600w.jpg 1600w" in page.content


def test_uploading_several_images_keeps_the_good_ones_and_names_the_bad(logged_in):
    response = post_upload(
        logged_in,
        upload(image_bytes(color=(1, 1, 1)), "a.jpg"),
        upload(b"<html><script>alert(1)</script></html>", "b.jpg"),
        upload(image_bytes("PNG"), "c.png"),
    )
    assert response.status_code == 200
    assert Image.objects.count() == 2
    assert "b.jpg: This file is an HTML document." in response.content.decode()


def test_only_bad_files_rerender_the_form_without_a_server_error(logged_in):
    for data, name in [
        (b"", "empty.jpg"),
        (b"GIF89a", "tiny.gif"),
        (image_bytes()[:100], "cut.jpg"),
        (b"\x00" * 10, "../../x.jpg"),
    ]:
        response = post_upload(logged_in, upload(data, name))
        assert response.status_code == 200, name
        assert "errorlist" in response.content.decode()
    assert not Image.objects.exists()


def test_upload_over_the_limit_is_refused_with_the_real_size(logged_in, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 2000
    response = post_upload(logged_in, upload(image_bytes(size=(800, 600), noise=True)))
    assert "the limit is 2.0" in response.content.decode()
    assert not Image.objects.exists()


def test_missing_file_is_a_form_error(logged_in):
    response = logged_in.post(
        reverse("images:upload"), {"description": "x", "visibility": "public"}
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_the_upload_pages_script_gets_each_files_outcome_as_json(logged_in):
    sent = post_upload(logged_in, upload(image_bytes(), "ridge.jpg"), accept="application/json")
    assert sent.status_code == 201
    image = Image.objects.get()
    assert sent.json() == {
        "images": [
            {
                "url": image.get_absolute_url(),
                "renditions_url": reverse("images:renditions_status", args=[image.pk]),
            }
        ],
        "errors": [],
    }
    refused = post_upload(logged_in, upload(b"%PDF-1.7", "cv.jpg"), accept="application/json")
    assert refused.status_code == 400
    assert refused.json() == {
        "images": [],
        "errors": [
            "cv.jpg: This file is a PDF document. Only JPEG, PNG, GIF and WebP images are accepted."
        ],
    }
    assert Image.objects.count() == 1


def test_the_upload_page_is_a_plain_form_for_the_local_disk(logged_in):
    page = logged_in.get(reverse("images:upload")).content.decode()
    assert 'data-upload-url="/images/upload/"' in page and "data-direct-url" not in page


def test_gallery_lists_public_images_only_with_lazy_pictures(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        public = create_image(data=image_bytes(color=(5, 50, 5)), description="Public hills")
    create_image(
        data=image_bytes(color=(50, 5, 5)), description="Secret hills", visibility="private"
    )
    response = client.get(reverse("images:index"))
    assert b"Public hills" in response.content and b"Secret hills" not in response.content
    assert b'loading="lazy"' in response.content and b"<picture>" in response.content
    assert public.sha256.encode() in response.content


def test_gallery_is_paginated(client):
    owner = UserFactory()
    for n in range(25):
        create_image(owner=owner, data=image_bytes(color=(n, n, n)))
    assert len(client.get(reverse("images:index")).context["page_obj"]) == 24
    assert len(client.get(reverse("images:index") + "?page=2").context["page_obj"]) == 1


def test_private_image_is_seen_by_owner_and_staff_only(client, user):
    image = create_image(owner=user, data=image_bytes(color=(9, 0, 9)), visibility="private")
    url = image.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"/images/file/" in response.content  # signed URL, not a plain one
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200


def test_private_image_url_changes_on_every_render(client, user, monkeypatch):
    image = create_image(owner=user, data=image_bytes(color=(9, 1, 9)), visibility="private")
    client.force_login(user)
    import itertools

    from django.core import signing

    # Two renders a few seconds apart, without sleeping: each call to the clock moves it on.
    clock = itertools.count(1_800_000_000, 5)
    monkeypatch.setattr(signing.time, "time", lambda: next(clock))
    first = re.search(rb'<img src="([^"]+)"', client.get(image.get_absolute_url()).content)
    second = re.search(rb'<img src="([^"]+)"', client.get(image.get_absolute_url()).content)
    assert first.group(1) != second.group(1)


def test_my_images_lists_my_public_and_private_images(client, user):
    create_image(
        owner=user,
        data=image_bytes(color=(1, 9, 9)),
        description="mine, private",
        visibility="private",
    )
    create_image(data=image_bytes(color=(2, 9, 9)), description="someone else's")
    client.force_login(user)
    response = client.get(reverse("images:mine"))
    assert b"mine, private" in response.content and b"someone else" not in response.content


def test_owner_edits_description_and_visibility(client, user):
    image = create_image(owner=user, data=image_bytes(color=(3, 9, 9)))
    client.force_login(user)
    response = client.post(
        reverse("images:edit", args=[image.pk]),
        {"description": "New words", "visibility": "private"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.description, image.visibility) == ("New words", "private")


def test_others_cannot_edit_or_delete(client):
    image = create_image(data=image_bytes(color=(4, 9, 9)))
    client.force_login(UserFactory())
    assert client.get(reverse("images:edit", args=[image.pk])).status_code == 404
    assert client.post(reverse("images:delete", args=[image.pk])).status_code == 404
    assert Image.objects.filter(pk=image.pk).exists()


def test_delete_asks_for_confirmation_then_deletes_on_post(client, user):
    image = create_image(owner=user, data=image_bytes(color=(5, 9, 9)))
    client.force_login(user)
    confirm = client.get(reverse("images:delete", args=[image.pk]))
    assert confirm.status_code == 200 and b"Yes, delete it" in confirm.content
    assert Image.objects.filter(pk=image.pk).exists()
    response = client.post(reverse("images:delete", args=[image.pk]))
    assert response.status_code == 302 and not Image.objects.filter(pk=image.pk).exists()


def test_home_page_include_renders(rf):
    from django.template.loader import render_to_string

    image = create_image(data=image_bytes(color=(6, 9, 9)))
    html = render_to_string(
        "images/_home_latest.html",
        {"latest_images": Image.objects.public().recent().for_display()[:6]},
    )
    assert image.get_absolute_url() in html
