"""Files sent from the browser straight to the bucket, through moto's S3 server over HTTP.

moto accepts a presigned POST without checking its policy (real S3 checks every condition), so
these tests send the file as a browser would and check that the signed policy carries the
conditions S3 would enforce.
"""

import base64
import json
from datetime import timedelta
from unittest import mock

import pytest
import urllib3
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidebook.images import incoming, reaper
from guidebook.images.models import DirectUpload, Image
from guidebook.jobs.services import job_statuses
from tests.e2e.workers import wait_for

from .factories import UserFactory, gps_exif, image_bytes

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def send_to_bucket(post: dict, data: bytes, name: str = "photo.jpg") -> int:
    """POST the file as the upload page's script does: the signed fields, then the file."""
    fields = {**post["fields"], "file": (name, data, post["fields"]["Content-Type"])}
    return urllib3.request("POST", post["url"], fields=fields, timeout=10).status


def issue(client, name="photo.jpg", content_type="image/jpeg", size=1000, **fields):
    return client.post(
        reverse("images:upload_issue"),
        {
            "name": name,
            "content_type": content_type,
            "size": size,
            "visibility": "public",
            **fields,
        },
    )


def confirm(client, key):
    return client.post(reverse("images:upload_confirm"), {"key": key})


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def sent(s3_storage, client, owner):
    """A key issued to `owner`, its file sent to the bucket: (the issue's JSON, the bytes)."""
    data = image_bytes(size=(900, 600), color=(30, 90, 150), exif=gps_exif())
    issued = issue(client, name="ridge.jpg", size=len(data), description="The ridge").json()
    assert send_to_bucket(issued["post"], data) == 204
    return issued, data


def signed_policy(post: dict) -> dict:
    return json.loads(base64.b64decode(post["fields"]["policy"]))


def test_the_site_chooses_the_key_and_signs_its_conditions(s3_storage, client, owner, settings):
    response = issue(client, name="../../My Holiday.JPG", size=5_000_000)
    assert response.status_code == 201, response.json()
    issued = response.json()
    upload = DirectUpload.objects.get()
    assert issued["key"] == upload.key and upload.key.startswith("incoming/")
    assert "Holiday" not in upload.key and upload.original_name == "My Holiday.JPG"
    assert (upload.owner, upload.content_type) == (owner, "image/jpeg")
    policy = signed_policy(issued["post"])
    conditions = policy["conditions"]
    assert {"key": upload.key} in conditions
    assert {"bucket": s3_storage.bucket_name} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, settings.IMAGE_MAX_UPLOAD_BYTES] in conditions
    expires = timezone.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert expires - timezone.now() <= timedelta(seconds=settings.IMAGE_DIRECT_UPLOAD_EXPIRE)
    assert issued["post"]["fields"]["key"] == upload.key


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"content_type": "image/heic"}, "its type is image/heic"),
        ({"content_type": ""}, "its type is unknown"),
        ({"size": 30 * 1024 * 1024}, "the limit is 25.0"),
        ({"size": 0}, "The file is empty."),
    ],
)
def test_a_key_is_refused_for_what_the_bucket_would_refuse(s3_storage, client, owner, fields, says):
    response = issue(client, **fields)
    assert response.status_code == 400 and says in response.json()["error"]
    assert not DirectUpload.objects.exists()


def test_without_s3_no_key_is_issued(client, owner):
    assert issue(client).status_code == 404


def test_a_confirmed_upload_is_checked_stored_and_its_incoming_file_deleted(
    sent, client, owner, s3_storage, django_capture_on_commit_callbacks
):
    issued, _ = sent
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, issued["key"])
    assert response.status_code == 202
    upload = DirectUpload.objects.get()
    image = Image.objects.get()
    assert upload.image == image and upload.confirmed_at and not upload.error
    assert (image.owner, image.description, image.original_name) == (
        owner,
        "The ridge",
        "ridge.jpg",
    )
    assert image.file.name.startswith("originals/") and image.sha256 in image.file.name
    with s3_storage.open(image.file.name) as stored:
        assert b"GPS" not in stored.read()  # metadata stripped, as for any upload
    assert not s3_storage.exists(issued["key"])
    status = client.get(issued["status_url"]).json()
    assert status["state"] == "stored" and status["error"] is None
    assert status["ready"] and status["thumbnail"].startswith(s3_storage.endpoint_url)
    assert "400w.jpg" in status["thumbnail"] and status["url"] == image.get_absolute_url()


def test_a_file_sent_twice_is_stored_once(
    sent, client, owner, s3_storage, django_capture_on_commit_callbacks
):
    issued, data = sent
    again = issue(client, name="copy.jpg", size=len(data)).json()
    assert send_to_bucket(again["post"], data) == 204
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, issued["key"])
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, again["key"])
    first, second = Image.objects.order_by("pk")
    assert first.file.name == second.file.name  # one original under its content's key
    assert not any(s3_storage.exists(key) for key in (issued["key"], again["key"]))


def test_confirmations_of_keys_not_issued_to_this_user_or_used_are_refused(
    sent, client, owner, django_capture_on_commit_callbacks
):
    issued, _ = sent
    refused = confirm(client, "incoming/0123456789abcdef0123456789abcdef")
    assert refused.status_code == 404 and "issued no upload" in refused.json()["error"]
    client.force_login(UserFactory())
    refused = confirm(client, issued["key"])
    assert refused.status_code == 403 and "someone else" in refused.json()["error"]
    assert client.get(issued["status_url"]).status_code == 404
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, issued["key"]).status_code == 202
    refused = confirm(client, issued["key"])
    assert refused.status_code == 409 and "confirmed already" in refused.json()["error"]
    assert Image.objects.count() == 1


def test_a_file_confirmed_before_it_arrived_is_refused_by_the_worker_and_says_so(
    s3_storage, client, owner, django_capture_on_commit_callbacks
):
    """The confirmation makes no request to the bucket: the worker, which reads the file
    anyway, is the one to find it missing."""
    issued = issue(client, name="lost.jpg").json()
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, issued["key"]).status_code == 202
    status = client.get(issued["status_url"]).json()
    assert status["state"] == "refused" and "never arrived" in status["error"]
    assert "lost.jpg: The file never arrived" in client.get(reverse("jobs:list")).text


def issue_several(client, files: list[tuple[str, str, int]], **fields):
    """The page's request for the keys of a whole selection: its triples in order."""
    return client.post(
        reverse("images:upload_issue"),
        {
            "name": [name for name, _, _ in files],
            "content_type": [content_type for _, content_type, _ in files],
            "size": [size for _, _, size in files],
            "visibility": "private",
            **fields,
        },
    )


def test_the_keys_of_a_selection_are_issued_in_one_request_each_file_on_its_own(
    s3_storage, client, owner, settings
):
    files = [("a.jpg", "image/jpeg", 900), ("b.heic", "image/heic", 900), ("c.png", "image/png", 5)]
    response = issue_several(client, files, description="Set")
    assert response.status_code == 201
    body = response.json()
    first, refused, third = body["uploads"]
    assert "image/heic" in refused["error"] and "key" not in refused
    uploads = DirectUpload.objects.order_by("pk")
    assert [(u.key, u.original_name, u.content_type) for u in uploads] == [
        (first["key"], "a.jpg", "image/jpeg"),
        (third["key"], "c.png", "image/png"),
    ]
    assert all((u.owner, u.description, u.visibility) == (owner, "Set", "private") for u in uploads)
    assert {"key": third["key"]} in signed_policy(third["post"])["conditions"]
    assert {"Content-Type": "image/png"} in signed_policy(third["post"])["conditions"]
    assert first["id"] == uploads[0].pk and first["status_url"].endswith(f"/{first['id']}/")
    assert body["confirm_url"] == reverse("images:upload_confirm")
    assert body["statuses_url"] == reverse("images:upload_statuses")
    assert body["expires_in"] == settings.IMAGE_DIRECT_UPLOAD_EXPIRE


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"size": ["1", "2"]}, "a name, a type and a size"),
        ({"size": ["1", "x", "3"]}, "not a number"),
        ({"visibility": "everyone"}, "not one of the available choices"),
    ],
)
def test_a_selection_that_does_not_make_triples_is_refused_whole(
    s3_storage, client, owner, fields, says
):
    files = [("a.jpg", "image/jpeg", 1)] * 3
    response = issue_several(client, files, **fields)
    assert response.status_code == 400 and says in response.json()["error"]
    assert not DirectUpload.objects.exists()


def test_a_selection_of_refused_files_gets_no_key(s3_storage, client, owner):
    response = issue_several(client, [("a.svg", "image/svg+xml", 9), ("b.jpg", "image/jpeg", 0)])
    assert response.status_code == 400
    assert [list(upload) for upload in response.json()["uploads"]] == [["error"], ["error"]]


def test_several_keys_are_confirmed_in_one_request_each_with_its_outcome(s3_storage, client, owner):
    mine = issue_several(client, [("a.jpg", "image/jpeg", 9), ("b.jpg", "image/jpeg", 9)])
    a, b = (upload["key"] for upload in mine.json()["uploads"])
    client.force_login(other := UserFactory())
    theirs = issue(client).json()["key"]
    client.force_login(owner)
    unknown = "incoming/0123456789abcdef0123456789abcdef"
    response = client.post(reverse("images:upload_confirm"), {"key": [a, theirs, unknown, b]})
    assert response.status_code == 200
    assert [(u["key"], u.get("state"), u.get("status")) for u in response.json()["uploads"]] == [
        (a, "checking", None),
        (theirs, None, 403),
        (unknown, None, 404),
        (b, "checking", None),
    ]
    confirmed = DirectUpload.objects.filter(confirmed_at__isnull=False)
    assert sorted(u.key for u in confirmed) == sorted([a, b])
    assert len({u.job for u in confirmed}) == 2 and all(u.job.user == owner for u in confirmed)
    assert DirectUpload.objects.get(key=theirs).owner == other
    again = client.post(reverse("images:upload_confirm"), {"key": [a, b]}).json()["uploads"]
    assert [u["status"] for u in again] == [409, 409]


def test_the_statuses_of_a_selection_are_read_in_one_request_with_the_users_own_only(
    sent, s3_storage, client, owner, django_capture_on_commit_callbacks
):
    issued, _ = sent
    waiting = issue(client).json()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, issued["key"])
    client.force_login(UserFactory())
    theirs = issue(client).json()
    client.force_login(owner)
    ids = f"{issued['id']},{waiting['id']},{theirs['id']},999999"
    url = reverse("images:upload_statuses")
    response = client.get(url, {"ids": ids})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    uploads = response.json()["uploads"]
    assert set(uploads) == {str(issued["id"]), str(waiting["id"])}
    stored = uploads[str(issued["id"])]
    assert stored == client.get(issued["status_url"]).json()
    assert stored["state"] == "stored" and stored["thumbnail"].startswith(s3_storage.endpoint_url)
    assert uploads[str(waiting["id"])] == {
        "state": "waiting",
        "error": None,
        "ready": False,
        "failed": False,
    }
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"ids": str(waiting["id"])})
    (query,) = [q["sql"] for q in queries if "images_" in q["sql"]]  # nothing of renditions
    assert 'JOIN "images_image"' in query
    assert client.get(url, {"ids": "1,x"}).status_code == 400
    assert client.get(url).json() == {"uploads": {}}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "SVG"),
        (image_bytes()[:-200], "truncated"),
        (image_bytes() + b"<html>hidden</html>", "extra data after the end"),
    ],
)
def test_a_refused_file_is_deleted_and_says_why(s3_storage, client, owner, data, says):
    issued = issue(client, name="bad.jpg", size=len(data)).json()
    assert send_to_bucket(issued["post"], data) == 204
    upload = DirectUpload.objects.get()
    with pytest.raises(incoming.UploadRefused, match=says):
        incoming.store_direct_upload(upload_id=upload.pk)
    upload.refresh_from_db()
    assert says in upload.error and not Image.objects.exists()
    assert not s3_storage.exists(upload.key)
    status = client.get(issued["status_url"]).json()
    assert status["state"] == "refused" and says in status["error"]
    with pytest.raises(incoming.UploadRefused):  # a retry refuses it again, checking nothing
        incoming.store_direct_upload(upload_id=upload.pk)


def test_a_file_over_the_limit_is_refused_by_its_size_unread(s3_storage, client, owner, settings):
    data = image_bytes(size=(900, 600), noise=True)
    issued = issue(client, size=len(data)).json()
    assert send_to_bucket(issued["post"], data) == 204  # moto ignores content-length-range
    settings.IMAGE_MAX_UPLOAD_BYTES = len(data) - 1
    with pytest.raises(incoming.UploadRefused, match="the limit is"):
        incoming.store_direct_upload(upload_id=DirectUpload.objects.get().pk)
    assert not s3_storage.exists(issued["key"])


def test_the_reaper_deletes_unconfirmed_keys_and_their_files_after_the_grace_period(
    sent, s3_storage, client
):
    issued, _ = sent
    stray = s3_storage.save("incoming/no-row-for-this", ContentFile(b"x"))
    report = reaper.reap_orphaned_files(grace_hours=24, incoming_grace_hours=1)
    assert (report.fresh, report.deleted, report.expired_uploads) == (2, 0, 0)
    DirectUpload.objects.update(issued_at=timezone.now() - timedelta(hours=2))
    report = reaper.reap_orphaned_files(grace_hours=24, incoming_grace_hours=0)
    assert (report.deleted, report.expired_uploads) == (2, 1)
    assert not s3_storage.exists(issued["key"]) and not s3_storage.exists(stray)
    assert not DirectUpload.objects.exists()
    assert confirm(client, issued["key"]).status_code == 404


@pytest.mark.celery_worker
def test_the_worker_refuses_a_bad_file_and_the_jobs_page_says_why(
    celery_worker, s3_storage, client, owner
):
    data = image_bytes()[:-200]
    issued = issue(client, name="half.jpg", size=len(data)).json()
    assert send_to_bucket(issued["post"], data) == 204
    assert confirm(client, issued["key"]).status_code == 202
    wait_for(lambda: client.get(issued["status_url"]).json()["state"] == "refused", "refusal")
    job = DirectUpload.objects.get().job
    wait_for(lambda: job_statuses([job])[job.pk].ready, "the job's end")
    assert job_statuses([job])[job.pk].state == "FAILURE"
    page = client.get(reverse("jobs:list")).content.decode()
    assert "Check and store half.jpg" in page
    assert "half.jpg: The file is truncated: it ends before the image does." in page
    assert not s3_storage.exists(issued["key"]) and not Image.objects.exists()


@pytest.mark.celery_worker
def test_the_worker_stores_a_confirmed_file_and_makes_its_renditions(
    celery_worker, sent, client, s3_storage
):
    issued, _ = sent
    assert confirm(client, issued["key"]).status_code == 202

    states = []

    def thumbnail() -> str | None:
        status = client.get(issued["status_url"]).json()
        states.append(status["state"])
        return status["ready"] and status["thumbnail"]

    wait_for(thumbnail, "the thumbnail")
    assert states[-1] == "stored" and set(states) <= {"checking", "stored"}
    assert Image.objects.get().renditions.count() == 4
    assert not s3_storage.exists(issued["key"])


def test_without_a_broker_a_refused_file_is_answered_and_its_job_says_why(
    s3_storage, client, owner, django_capture_on_commit_callbacks
):
    """Tasks run in the request when there is no broker: the file's refusal is the job's
    failure, on the page and in /jobs/, never the confirmation's 500."""
    data = image_bytes()[:-200]
    issued = issue(client, name="half.jpg", size=len(data)).json()
    assert send_to_bucket(issued["post"], data) == 204
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, issued["key"])
    assert response.status_code == 202
    status = client.get(issued["status_url"]).json()
    assert status["state"] == "refused" and "truncated" in status["error"]
    job = DirectUpload.objects.get().job
    assert job_statuses([job])[job.pk].state == "FAILURE"
    assert "half.jpg: The file is truncated" in client.get(reverse("jobs:list")).text


def test_the_requests_reuse_the_storages_s3_client(
    sent, s3_storage, client, owner, django_capture_on_commit_callbacks
):
    """Making a boto3 client costs a web process tens of milliseconds (botocore reads its
    service descriptions): the storage makes one per thread and keeps it, and the requests of
    the direct path only sign with it (HMAC, no request to S3)."""
    issued, _ = sent
    made = s3_storage.connection.meta.client
    with (
        mock.patch("boto3.session.Session.resource", side_effect=AssertionError("new client")),
        mock.patch("botocore.endpoint.Endpoint._send", side_effect=AssertionError("sent to S3")),
    ):
        keys = issue_several(client, [("a.jpg", "image/jpeg", 9), ("b.jpg", "image/jpeg", 9)])
        assert keys.status_code == 201
        with django_capture_on_commit_callbacks(execute=False):
            assert confirm(client, issued["key"]).status_code == 202
        statuses = client.get(reverse("images:upload_statuses"), {"ids": issued["id"]})
        assert statuses.status_code == 200
    assert s3_storage.connection.meta.client is made
