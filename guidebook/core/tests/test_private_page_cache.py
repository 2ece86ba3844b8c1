"""A signed-in reader's own pages in the page cache (core/caching.cache_private_page): "my images"
and the jobs page are served again without their queries, to that reader in that browser only,
with forms whose CSRF token still works, and show every change on the next request after its
commit."""

import re
import uuid

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_results.models import TaskResult

from guidebook.accounts.tests.factories import UserFactory
from guidebook.images.models import Rendition
from guidebook.images.tests.factories import create_image
from guidebook.jobs.models import Job

pytestmark = pytest.mark.django_db

MINE, JOBS = reverse("images:mine"), reverse("jobs:list")
# What a cached page is not allowed to read again: its own content.
CONTENT_TABLES = ("images_image", "images_rendition", "jobs_job", "django_celery_results")


def fetch(client, url) -> tuple[str, list[str]]:
    """The page, and the SQL of the queries that made it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [query["sql"] for query in queries]


def content_queries(sql: list[str]) -> list[str]:
    return [query for query in sql if any(table in query for table in CONTENT_TABLES)]


@pytest.fixture
def reader(committed):
    user = committed(UserFactory, username="ines")
    committed(create_image, owner=user, description="Tram 28 at dusk")
    committed(Job.objects.create, user=user, name="Regenerate renditions", task_name="t")
    return user


def signed_in(user) -> Client:
    """A browser signed in as `user` that has loaded a page once (so it holds a CSRF cookie)."""
    browser = Client()
    browser.force_login(user)
    fetch(browser, MINE)
    return browser


@pytest.mark.parametrize("url", [MINE, JOBS])
def test_a_readers_page_is_served_again_without_its_queries(reader, url):
    browser = signed_in(reader)
    first, sql = fetch(browser, url)
    assert content_queries(sql)
    again, sql = fetch(browser, url)
    assert again == first
    assert content_queries(sql) == []


def test_each_reader_and_each_browser_gets_their_own_copy(reader, committed):
    other = committed(UserFactory, username="omar")
    committed(create_image, owner=other, description="Omar's harbour")
    mine, _ = fetch(signed_in(reader), MINE)
    fetch(signed_in(reader), MINE)
    theirs, _ = fetch(signed_in(other), MINE)
    assert "Tram 28" in mine and "harbour" not in mine
    assert "harbour" in theirs and "Tram 28" not in theirs
    # Another browser of the same reader has another CSRF secret: a copy of its own.
    _, sql = fetch(signed_in(reader), MINE)
    assert content_queries(sql)


def test_the_forms_of_a_cached_page_carry_a_token_that_works(reader):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    fetch(browser, MINE)
    fetch(browser, MINE)
    page, sql = fetch(browser, MINE)
    assert content_queries(sql) == []  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_signed_out_readers_are_sent_to_log_in(reader):
    browser = signed_in(reader)
    browser.logout()
    response = browser.get(MINE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_waiting_message_is_shown_not_a_cached_page(reader):
    browser = signed_in(reader)
    fetch(browser, MINE)  # now cached
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "Your profile has been saved.")
    carrier = HttpResponse()
    storage.update(carrier)  # the cookie a redirect would have set
    browser.cookies["messages"] = carrier.cookies["messages"].value
    page, _ = fetch(browser, MINE)
    assert "Your profile has been saved." in page
    page, sql = fetch(browser, MINE)  # shown once; the cached page again
    assert "Your profile has been saved." not in page and content_queries(sql) == []


def upload(reader):
    create_image(owner=reader, description="A new picture of the bridge")


def describe(reader):
    image = reader.images.get()
    image.description = "Tram 28 in the rain"
    image.save()


def delete(reader):
    reader.images.get().delete()


def make_rendition(reader):
    Rendition.objects.create(
        image=reader.images.get(),
        spec="320w.webp",
        width=320,
        height=240,
        format="webp",
        file="renditions/ines-320w.webp",
    )


def rename(reader):
    reader.username = "ines-m"
    reader.save()


def start_job(reader):
    Job.objects.create(user=reader, name="Rebuild the search index", task_name="t")


def report_progress(reader):
    job = reader.jobs.get()
    task_id = str(uuid.uuid4())
    job.tasks = [{"id": task_id, "args": []}]
    Job.objects.filter(pk=job.pk).update(tasks=job.tasks)  # no signal: only the result says it
    TaskResult.objects.create(task_id=task_id, status="SUCCESS", result="null")


@pytest.mark.parametrize(
    ("edit", "url", "before", "after"),
    [
        pytest.param(upload, MINE, None, "the bridge", id="upload"),
        pytest.param(describe, MINE, "at dusk", "in the rain", id="describe"),
        pytest.param(delete, MINE, "Tram 28", None, id="delete"),
        pytest.param(make_rendition, MINE, None, "ines-320w.webp", id="rendition"),
        pytest.param(rename, MINE, None, "ines-m", id="rename"),
        pytest.param(start_job, JOBS, None, "Rebuild the search index", id="job"),
        pytest.param(report_progress, JOBS, "Pending", "Success", id="progress"),
    ],
)
def test_an_edit_shows_on_the_next_request_after_its_commit(
    reader, committed, edit, url, before, after
):
    browser = signed_in(reader)
    fetch(browser, url)
    page, sql = fetch(browser, url)
    assert content_queries(sql) == []  # cached
    assert (before is None or before in page) and (after is None or after not in page)
    committed(edit, reader)
    page, _ = fetch(browser, url)
    assert (before is None or before not in page) and (after is None or after in page)


def test_someone_elses_upload_leaves_the_page_cached(reader, committed):
    browser = signed_in(reader)
    fetch(browser, MINE)
    committed(create_image, description="Someone else's picture")
    _, sql = fetch(browser, MINE)
    assert content_queries(sql) == []
