"""Every kind of page, public and signed in, with the demo content: valid HTML by the Nu HTML
Checker (vnu.jar) and no axe-core violation of any impact (issue 17).

One browser, one live server and one run of vnu.jar for all of them: each page is opened in
Chromium, with the site's Content-Security-Policy in force, and checked there by axe-core; the HTML
the server sent is kept, and vnu.jar checks it all at the end. The feeds are XML, not pages.
"""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_results.models import TaskResult
from playwright.sync_api import Error as PlaywrightError

from guidebook.accounts.demo import DEMO_READER_PASSWORD
from guidebook.accounts.models import User
from guidebook.guides.models import Category, Guide, Tag
from guidebook.images.models import Image
from guidebook.images.templatetags.image_tags import renditions_pending
from guidebook.images.tests.factories import create_image, image_bytes
from guidebook.jobs.models import Job
from guidebook.polls.models import Question
from guidebook.search.services import index_object

from .workers import seed_demo_with_renditions, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READER = "ada"  # a demo reader with images of her own, public and private


def demo_site():
    """The demo content, its renditions made and its search index written; a few jobs for
    the reader (queued, running, done, failed) and a private image of hers whose renditions are
    still to come."""
    seed_demo_with_renditions()
    reader = User.objects.get(username=READER)
    pending = create_image(
        owner=reader,
        data=image_bytes(size=(800, 600), color=(90, 60, 120)),
        description="A private sketch, renditions to come",
        visibility="private",
    )
    wait_for(
        lambda: not any(renditions_pending(image) for image in Image.objects.all()),
        "the demo images' renditions",
    )
    pending.renditions.all().delete()  # as if the worker had not got to it yet
    for guide in Guide.objects.published():
        index_object(model_label="guides.guide", pk=guide.pk)
    for image in Image.objects.public():
        index_object(model_label="images.image", pk=image.pk)
    for state in (None, "STARTED", "SUCCESS", "FAILURE"):
        task_id = str(uuid.uuid4())
        Job.objects.create(
            user=reader,
            name=f"Regenerate renditions ({state or 'queued'})",
            task_name="images.generate_renditions",
            tasks=[{"id": task_id, "args": [pending.pk]}],
        )
        if state:
            result = '{"exc_type": "OSError", "exc_message": ["disk full"]}'
            TaskResult.objects.create(
                task_id=task_id,
                status=state,
                result=result if state == "FAILURE" else "null",
                date_done=timezone.now() if state != "STARTED" else None,
            )
    return reader, pending


def public_pages() -> dict[str, str]:
    guide = Guide.objects.published().filter(polls__isnull=False).first()
    local = timezone.localtime(guide.pub_date)
    open_poll = Question.objects.filter(closes_at__isnull=True).exclude(guide=None).first()
    closed_poll = Question.objects.filter(closes_at__lt=timezone.now()).first()
    image = Image.objects.public().first()
    return {
        "home": reverse("home"),
        "guide list": reverse("guides:list"),
        "guide": guide.get_absolute_url(),
        "category": Category.objects.first().get_absolute_url(),
        "tag": Tag.objects.first().get_absolute_url(),
        "year archive": reverse("guides:archive_year", args=[local.year]),
        "month archive": reverse("guides:archive_month", args=[local.year, local.month]),
        "day archive": reverse("guides:archive_day", args=[local.year, local.month, local.day]),
        "polls": reverse("polls:index"),
        "poll": open_poll.get_absolute_url(),
        "closed poll": closed_poll.get_absolute_url(),
        "poll results": reverse("polls:results", args=[open_poll.pk]),
        "images": reverse("images:index"),
        "image": image.get_absolute_url(),
        "search": reverse("search:index") + "?q=walk",
        "search, filtered": reverse("search:index") + "?q=walk&kind=guide",
        "search, with images": reverse("search:index") + "?q=engine",
        "search, no results": reverse("search:index") + "?q=zeppelin",
        "search, empty": reverse("search:index"),
        "page search": reverse("pages:search") + "?q=guides",
        "flatpage": "/about/",
        "profile": reverse("accounts:profile", args=[READER]),
        "login": reverse("accounts:login"),
        "signup": reverse("accounts:signup"),
        "signup sent": reverse("accounts:signup_done"),
        "password reset": reverse("accounts:password_reset"),
        "password reset sent": reverse("accounts:password_reset_done"),
        "password reset, bad link": reverse("accounts:password_reset_confirm", args=["x", "y-z"]),
        "activation, bad link": reverse("accounts:activate", args=["x", "y-z"]),
        "not found": "/no-such-page/",
    }


def signed_in_pages(reader, pending) -> dict[str, str]:
    return {
        "home, signed in": reverse("home"),
        "poll, signed in": Question.objects.exclude(guide=None).first().get_absolute_url(),
        "upload": reverse("images:upload"),
        "my images": reverse("images:mine"),
        "image, renditions pending": pending.get_absolute_url(),
        "image edit": reverse("images:edit", args=[pending.pk]),
        "image delete": reverse("images:delete", args=[pending.pk]),
        "jobs": reverse("jobs:list"),
        "my profile": reverse("accounts:profile", args=[reader.username]),
        "profile edit": reverse("accounts:profile_edit", args=[reader.username]),
        "password change": reverse("accounts:password_change"),
    }


def upload_files_sent(page) -> None:
    """The upload page's list once its script has sent a good file and a bad one, with a third
    chosen but not sent yet."""
    page.goto(reverse("images:upload"))
    jpeg, pdf = "image/jpeg", "application/pdf"
    page.set_input_files(
        "#id_image",
        [
            {"name": "tram.jpg", "mimeType": jpeg, "buffer": image_bytes(color=(9, 80, 40))},
            {"name": "ticket.jpg", "mimeType": pdf, "buffer": b"%PDF-1.7"},
        ],
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    page.locator(".upload-item[data-state='done'] img").wait_for()
    page.locator(".upload-item[data-state='failed']").wait_for()
    page.set_input_files("#id_image", [{"name": "later.jpg", "mimeType": jpeg, "buffer": b"x"}])


class Checks:
    """Opens pages in one browser context: axe-core checks each, and its HTML is kept for vnu."""

    def __init__(self, page, axe):
        self.page, self.axe = page, axe
        self.documents: dict[str, bytes] = {}
        self.problems: dict[str, list[str]] = {}

    def visit(self, name: str, url: str) -> None:
        response = self.page.goto(url)
        expected = {"not found": 404, "activation, bad link": 400}.get(name, 200)
        self.check(name, response, expected)

    def submitted(self, name: str, url: str, fields: dict[str, str], button: str) -> None:
        """The page a form shows again with its errors, checked like the others."""
        self.page.goto(url)
        for selector, value in fields.items():
            self.page.fill(selector, value)
        with self.page.expect_response(lambda r: r.request.method == "POST") as posted:
            self.page.get_by_role("button", name=button).click()
        self.check(name, posted.value, 200)
        assert self.page.locator(".errorlist").count(), f"{name}: the form showed no error"

    def shown(self, name: str) -> None:
        """The page as its script has changed it since it loaded: its DOM, checked by both."""
        self.documents[name] = self.page.content().encode()
        if violations := self.axe.violations(self.page):
            self.problems.setdefault(name, []).extend(f"axe: {v}" for v in violations)

    def check(self, name: str, response, expected_status: int) -> None:
        if response.status != expected_status:
            self.problems.setdefault(name, []).append(f"{response.url}: HTTP {response.status}")
            return
        # Checked as visitors get it: with the policy that refuses inline script.
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.documents[name] = response.body()
        self.page.wait_for_load_state("load")
        if violations := self.axe.violations(self.page):
            self.problems.setdefault(name, []).extend(f"axe: {v}" for v in violations)


def test_every_page_is_valid_html_with_no_accessibility_violations(
    browser, live_server, axe, vnu, renditions_worker
):
    reader, pending = demo_site()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    checks = Checks(context.new_page(), axe)
    for name, url in public_pages().items():
        checks.visit(name, url)
    # axe-core ran with the policy in force: the page refuses the inline script it would need
    # if it came in through a <script> tag (checkers.Axe evaluates it instead).
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        checks.page.add_script_tag(content="window.inline = true")
    checks.submitted(
        "signup, with errors",
        reverse("accounts:signup"),
        {"#id_username": READER, "#id_email": "not-an-address", "#id_password1": "x"},
        "Create account",
    )
    checks.submitted(
        "login, with errors",
        reverse("accounts:login"),
        {"#id_username": READER, "#id_password": "wrong"},
        "Log in",
    )
    checks.page.goto(reverse("accounts:login"))
    checks.page.fill("#id_username", reader.username)
    checks.page.fill("#id_password", DEMO_READER_PASSWORD)
    checks.page.get_by_role("button", name="Log in").click()
    checks.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for name, url in signed_in_pages(reader, pending).items():
        checks.visit(name, url)
    checks.submitted("upload, with errors", reverse("images:upload"), {}, "Upload")
    upload_files_sent(checks.page)
    checks.shown("upload, files sent: one ready, one refused, one chosen")
    context.close()

    for name, errors in vnu(checks.documents).items():
        checks.problems.setdefault(name, []).extend(f"vnu: {error}" for error in errors)
    report = [
        f"{name}:\n" + "\n".join(f"  {problem}" for problem in problems)
        for name, problems in checks.problems.items()
        if problems
    ]
    assert not report, f"{len(report)} of {len(checks.documents)} pages fail:\n" + "\n".join(report)
