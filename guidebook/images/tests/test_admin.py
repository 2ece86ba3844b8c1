import pytest
from django.urls import reverse

from guidebook.images.models import DirectUpload, Image

from .factories import StaffFactory, create_image, image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory())
    return client


def test_changelist_shows_thumbnails_and_searches_by_owner(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = create_image(data=image_bytes(color=(12, 34, 56)), description="Bridge")
    response = admin_client.get(
        reverse("admin:images_image_changelist"), {"q": image.owner.username}
    )
    assert response.status_code == 200
    assert b"Bridge" in response.content and b"400w.jpg" in response.content
    assert (
        admin_client.get(reverse("admin:images_image_changelist"), {"q": "nobody-by-that-name"})
        .context["cl"]
        .result_count
        == 0
    )


def test_change_page_shows_read_only_facts_and_renditions(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = create_image(data=image_bytes(color=(65, 43, 21)))
    response = admin_client.get(reverse("admin:images_image_change", args=[image.pk]))
    assert response.status_code == 200
    assert image.sha256.encode() in response.content
    assert b"1600w.webp" in response.content
    assert b'name="sha256"' not in response.content  # read-only, not an input


def test_admin_add_goes_through_the_upload_service(admin_client):
    owner = StaffFactory(username="editor")
    response = admin_client.post(
        reverse("admin:images_image_add"),
        {
            "upload": upload(image_bytes("PNG"), "../evil.png"),
            "owner": owner.pk,
            "description": "From the admin",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.content_type == "image/png" and image.original_name == "evil.png"
    assert image.file.name.startswith("originals/")


def test_admin_add_refuses_a_bad_file_with_a_reason(admin_client):
    response = admin_client.post(
        reverse("admin:images_image_add"),
        {
            "upload": upload(b"<svg><script>alert(1)</script></svg>", "x.png"),
            "owner": StaffFactory(username="editor2").pk,
            "description": "",
            "visibility": "public",
        },
    )
    assert response.status_code == 200 and b"SVG drawing" in response.content
    assert not Image.objects.exists()


def test_regenerating_renditions_works_without_a_broker(
    admin_client, django_capture_on_commit_callbacks
):
    """The embedded profile runs the job's tasks in-process (tasks_in_process, as eager mode)."""
    from guidebook.jobs.models import Job
    from guidebook.jobs.services import job_statuses

    image = create_image(data=image_bytes(size=(900, 600), color=(20, 200, 20)))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:images_image_changelist"),
            {"action": "regenerate_renditions", "_selected_action": [image.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "Follow its progress on the jobs page" in response.content.decode()
    job = Job.objects.get(task_name="images.generate_renditions")
    status = job_statuses([job])[job.pk]
    assert (status.state, status.result) == (
        "SUCCESS",
        {"image": image.pk, "status": "made", "renditions": 4},
    )


def test_direct_uploads_can_be_inspected_and_searched_not_added_changed_or_deleted(admin_client):
    owner = StaffFactory(username="walker")
    upload = DirectUpload.objects.create(
        owner=owner, original_name="summit.jpg", content_type="image/jpeg", error="Not a JPEG."
    )
    DirectUpload.objects.create(owner=owner, original_name="valley.jpg", content_type="image/jpeg")
    changelist = reverse("admin:images_directupload_changelist")
    found = admin_client.get(changelist, {"q": "summit"})
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    assert upload.key in found.text and "walker" in found.text and "Not a JPEG." in found.text
    refused = admin_client.get(changelist, {"error__isempty": "0"}).context["cl"]
    assert [row.pk for row in refused.result_list] == [upload.pk]
    assert admin_client.get(reverse("admin:images_directupload_add")).status_code == 403
    change = admin_client.get(reverse("admin:images_directupload_change", args=[upload.pk]))
    assert change.status_code == 200 and 'name="original_name"' not in change.text  # read-only
    delete = reverse("admin:images_directupload_delete", args=[upload.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert DirectUpload.objects.filter(pk=upload.pk).exists()
