"""The shipped processes as a fleet: `web` and `worker` on two machines that share no disk.

A platform builds one slug and runs each Procfile process on its own dyno, with its own disk.
Here each dyno is a separate copy of the project's tracked files in its own folder (with its own
MEDIA_ROOT and TMPDIR), running the Procfile's own command with production settings. They share
only what production shares: a fresh PostgreSQL database (migrated by the Procfile's `release`
command), a RabbitMQ vhost and a Redis database of their own and an S3 bucket on moto's server.
Whatever one dyno writes to its own disk, the other never sees, so these tests fail if some state
users need lives there.

Static files are collected in the web dyno's copy only (as the build does), at the same time as
the release runs: the worker serves none, and collecting takes most of the setup's time.
"""

import io
import os
import re
import secrets
import shlex
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import redis

from conftest import ROOT, free_port, service_unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.s3]

BIN = Path(sys.executable).parent  # gunicorn, celery and python of this environment
AWS_TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
STARTUP_SECONDS = 60  # collectstatic alone takes ~20 s on a busy two-core machine
WORK_SECONDS = 30  # from a request on web to the worker's result being visible on web
STOP_SECONDS = 25  # gunicorn's graceful_timeout is 20 s
SUCCESSFUL_REQUEST = re.compile(r'"logger": "gunicorn.access".*"status": (200|30\d)')


# ------------------------------------------------------------------------------ processes
def procfile_commands(root: Path) -> dict[str, str]:
    """The Procfile of that copy, as {process: command}: the test runs what ships."""
    commands = {}
    for line in (root / "Procfile").read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and name.strip() and not name.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def copy_tracked_files(destination: Path) -> None:
    """The files git tracks (and new ones it would), as a build copies them: no .venv, no
    media, no index, nothing else the developer's own disk holds."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@dataclass
class Dyno:
    """One machine: a copy of the project, its own disk, its environment, its processes."""

    name: str
    root: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def app(self) -> Path:
        return self.root / "app"

    def log(self, process: str) -> Path:
        return self.root / f"{process}.log"

    def start(self, process: str, command: str) -> subprocess.Popen:
        """`command` as the platform runs it: through a shell, in the app folder. The process
        gets a session of its own so that stop() ends it and every child it forked."""
        with self.log(process).open("ab") as log:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", command],
                cwd=self.app,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc.process_name = process
        self.processes.append(proc)
        return proc

    def run(self, process: str, command: str, timeout: float = STARTUP_SECONDS) -> None:
        """A one-off process (release, a management command) that must succeed."""
        proc = self.start(process, command)
        finish(proc, timeout, self)

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def tail(self, lines: int = 25) -> str:
        """The end of each process's log, without the access log's successful requests (the
        polling makes many)."""
        parts = []
        for path in sorted(self.root.glob("*.log")):
            text = [
                line
                for line in path.read_text(errors="replace").splitlines()
                if not SUCCESSFUL_REQUEST.search(line)
            ]
            parts.append(f"--- {self.name}/{path.name}\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)


def finish(proc: subprocess.Popen, timeout: float, dyno: Dyno) -> None:
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"{dyno.name}: {proc.process_name} still running after {timeout} s\n" + dyno.tail()
        )
    assert code == 0, f"{dyno.name}: {proc.process_name} exited {code}\n" + dyno.tail()


def wait_until(predicate, timeout: float, what: str, fleet: "Fleet", detail=lambda: ""):
    """Poll `predicate` until it returns something true, failing (with `detail()` and every
    dyno's logs) at the deadline or as soon as a long-running process has died."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        dead = [
            f"{dyno.name}: {proc.process_name} exited {proc.returncode}"
            for dyno in fleet.dynos
            for proc in dyno.processes
            if proc.poll() is not None and proc.returncode != 0
        ]
        if dead or time.monotonic() > deadline:
            reason = ", ".join(dead) or f"not within {timeout} s"
            pytest.fail(f"{what}: {reason}\n{detail()}\n{fleet.tail()}", pytrace=False)
        time.sleep(0.25)


# ------------------------------------------------------------------------------ HTTP
class _FormReader(HTMLParser):
    """What a browser would submit from the form with this id (or the first POST form)."""

    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.done = form_id, False, False
        self.fields: list[tuple[str, str]] = []
        self.textarea: list[str] | None = None
        self.select: tuple[str, bool, list[list]] | None = None
        self.option: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and not (self.inside or self.done):
            if self.form_id:
                self.inside = attributes.get("id") == self.form_id
            else:
                self.inside = (attributes.get("method") or "").lower() == "post"
            return
        name = attributes.get("name")
        if not self.inside or "disabled" in attributes:
            return
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = (name, "multiple" in attributes, [])
        elif tag == "option" and self.select:
            self.option = [attributes.get("value"), "selected" in attributes, ""]
            self.select[2].append(self.option)

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data
        elif self.option:
            self.option[2] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside, self.done = False, True
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            self.fields.append((name, text.removeprefix("\n")))  # as browsers do
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select:
            name, multiple, options = self.select
            chosen = [option for option in options if option[1]]
            if not chosen and not multiple and options:
                chosen = options[:1]
            for value, _, text in chosen:
                self.fields.append((name, text.strip() if value is None else value))
            self.select = None


def form_fields(html: str, form_id: str | None = None, **values: str) -> list[tuple[str, str]]:
    """The form's fields as rendered, with `values` replacing (or adding) fields."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.done, f"no form {form_id or '(POST)'} in the page"
    fields = [(name, value) for name, value in reader.fields if name not in values]
    return fields + list(values.items())


class Browser:
    """A client that talks to the web dyno as the platform's router would: plain HTTP, with
    X-Forwarded-Proto: https. The site marks its cookies Secure, which a cookie jar keeps for
    HTTPS only, so this client sends its cookies itself and follows redirects itself."""

    def __init__(self, base_url: str):
        import requests

        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["X-Forwarded-Proto"] = "https"

    def request(self, method: str, path: str, headers=None, **kwargs):
        url = urljoin(self.base_url, path)
        for _ in range(10):
            cookies = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
            response = self.session.request(
                method,
                url,
                headers={**(headers or {}), "Cookie": cookies},
                allow_redirects=False,
                timeout=30,
                **kwargs,
            )
            if not response.is_redirect:
                return response
            url = urljoin(url, response.headers["Location"])
            method, headers, kwargs = "GET", None, {}
        pytest.fail(f"too many redirects, the last to {url}")

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        # Django checks the Origin of an HTTPS POST against the host it was sent to.
        origin = "https://" + urlsplit(self.base_url).netloc
        return self.request("POST", path, headers={"Origin": origin}, **kwargs)

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/admin/login/?next=/admin/")
        fields = form_fields(page.text, "login-form", username=username, password=password)
        response = self.post("/admin/login/?next=/admin/", data=fields)
        assert response.ok and "/admin/login/" not in response.url, response.text[:2000]


# ------------------------------------------------------------------------------ services
def postgres_server() -> dict:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        service_unavailable("needs PostgreSQL: set DATABASE_URL=postgres://…")
    return database


def create_database(server: dict, name: str) -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_conninfo(server), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    credentials = quote(server["USER"] or "", safe="")
    if server.get("PASSWORD"):
        credentials += ":" + quote(server["PASSWORD"], safe="")
    location = f"{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    return f"postgres://{credentials}@{location}/{name}"


def drop_database(server: dict, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_conninfo(server), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def admin_conninfo(server: dict) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=server["HOST"] or "127.0.0.1",
        port=str(server["PORT"] or 5432),
        user=server["USER"] or None,
        password=server.get("PASSWORD") or None,
        dbname="postgres",
    )


def rabbitmqctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)


def create_vhost(broker_url: str, vhost: str) -> str:
    """A RabbitMQ vhost of the fleet's own: production's queue names stay as they ship, and
    no other worker on this broker (another test run, a developer's) can take their tasks."""
    if not shutil.which("rabbitmqctl"):
        service_unavailable("needs rabbitmqctl (on the RabbitMQ host) to give the fleet a vhost")
    parts = urlsplit(broker_url)
    for command in (
        ("add_vhost", vhost),
        ("set_permissions", "-p", vhost, parts.username or "guest", ".*", ".*", ".*"),
    ):
        result = rabbitmqctl(*command)
        if result.returncode:
            service_unavailable(f"rabbitmqctl {command[0]} failed: {result.stderr.strip()}")
    return parts._replace(path="/" + quote(vhost, safe="")).geturl()


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=AWS_TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=AWS_TEST_CREDENTIALS["AWS_DEFAULT_REGION"],
    )


def delete_bucket(client, bucket: str) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


# ------------------------------------------------------------------------------ the fleet
@dataclass
class Fleet:
    web: Dyno
    worker: Dyno
    base_url: str
    username: str
    password: str
    s3_endpoint: str
    started_in: float = 0.0

    @property
    def dynos(self) -> list[Dyno]:
        return [self.web, self.worker]

    def tail(self) -> str:
        return "\n".join(dyno.tail() for dyno in self.dynos)

    def browser(self) -> Browser:
        return Browser(self.base_url)


def dyno_environment(root: Path, **variables: str) -> dict[str, str]:
    """A dyno's environment: the platform's few variables and the app's config vars, nothing
    inherited from the test run (no DJANGO_SETTINGS_MODULE=config.settings.test, no
    GUIDEBOOK_TEST_RUN)."""
    for folder in ("media", "tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(root),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(root / "tmp"),
        "MEDIA_ROOT": str(root / "media"),
        **variables,
    }


@pytest.fixture(scope="module")
def fleet(rabbitmq_url, moto_s3_endpoint, redis_url):
    started = time.monotonic()
    server = postgres_server()
    run = uuid.uuid4().hex[:10]
    base = Path(tempfile.mkdtemp(prefix=f"guidebook-fleet-{run}-"))
    database, vhost, bucket = f"guidebook_fleet_{run}", f"guidebook-fleet-{run}", f"fleet-{run}"
    s3 = s3_client(moto_s3_endpoint)
    cleanups = [lambda: shutil.rmtree(base, ignore_errors=True)]
    dynos: list[Dyno] = []
    try:
        config = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": create_database(server, database),
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": moto_s3_endpoint,
            **AWS_TEST_CREDENTIALS,
        }
        cleanups.append(lambda: drop_database(server, database))
        # Redis: a database number of the fleet's own, emptied before and after.
        config["REDIS_URL"] = fleet_redis = urlsplit(redis_url)._replace(path="/11").geturl()
        redis.Redis.from_url(fleet_redis).flushdb()
        cleanups.append(lambda: redis.Redis.from_url(fleet_redis).flushdb())
        config["CELERY_BROKER_URL"] = create_vhost(rabbitmq_url, vhost)
        cleanups.append(lambda: rabbitmqctl("delete_vhost", vhost))
        s3.create_bucket(Bucket=bucket)
        cleanups.append(lambda: delete_bucket(s3, bucket))

        port = free_port()
        web = Dyno("web.1", base / "web.1", {})
        worker = Dyno("worker.1", base / "worker.1", {})
        dynos += [web, worker]
        for dyno in dynos:
            copy_tracked_files(dyno.app)
            dyno.env = dyno_environment(dyno.root, **config)
        web.env |= {"PORT": str(port), "WEB_CONCURRENCY": "2"}
        commands = procfile_commands(web.app)
        fleet = Fleet(
            web,
            worker,
            f"http://127.0.0.1:{port}",
            username="fleet-editor",
            password=secrets.token_urlsafe(16),
            s3_endpoint=moto_s3_endpoint,
        )

        # The build's collectstatic and the release phase, side by side; then the processes.
        build = web.start("build", "python manage.py collectstatic --noinput --verbosity 0")
        web.run("release", commands["release"])
        worker.start("worker", procfile_commands(worker.app)["worker"])
        web.env["DJANGO_SUPERUSER_PASSWORD"] = fleet.password
        web.run(
            "createsuperuser",
            "python manage.py createsuperuser --noinput "
            f"--username {shlex.quote(fleet.username)} --email editor@example.com",
        )
        del web.env["DJANGO_SUPERUSER_PASSWORD"]
        finish(build, STARTUP_SECONDS, web)
        web.start("web", commands["web"])
        wait_until(lambda: healthy(fleet), STARTUP_SECONDS, "web answers /healthz", fleet)
        fleet.started_in = time.monotonic() - started
        yield fleet
    finally:
        for dyno in dynos:
            dyno.stop()
        for cleanup in reversed(cleanups):
            cleanup()


def healthy(fleet: Fleet) -> bool:
    import requests

    try:
        return fleet.browser().get("/healthz").status_code == 200
    except requests.ConnectionError:
        return False


# ------------------------------------------------------------------------------ helpers
def photo_bytes(width: int = 2000, height: int = 1500) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (40, 90, 140))
    ImageDraw.Draw(image).ellipse((200, 200, width - 200, height - 200), fill=(230, 200, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def srcset_urls(html: str) -> dict[str, list[tuple[str, int]]]:
    """{"webp": [(url, width), …], "fallback": […]} from the page's <picture>."""
    found = {}
    for kind, pattern in (
        ("webp", r'<source type="image/webp" srcset="([^"]+)"'),
        ("fallback", r'<img src="[^"]+" srcset="([^"]+)"'),
    ):
        match = re.search(pattern, html)
        assert match, f"no {kind} srcset in the page"
        candidates = [item.strip().rsplit(" ", 1) for item in unescape(match[1]).split(", ")]
        found[kind] = [(url, int(width.rstrip("w"))) for url, width in candidates]
    return found


def random_word(length: int = 12) -> str:
    """A word no stemmer shortens and no other document contains."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


# ------------------------------------------------------------------------------ tests
def test_image_uploaded_on_web_gets_renditions_from_the_worker_and_they_load(fleet):
    import requests
    from PIL import Image

    editor = fleet.browser()
    editor.log_in(fleet.username, fleet.password)
    page = editor.get("/images/upload/")
    fields = form_fields(page.text, description="Harbour at dawn", visibility="public")
    response = editor.post(
        "/images/upload/",
        data=fields,
        files={"image": ("harbour.jpg", photo_bytes(), "image/jpeg")},
    )
    assert response.ok, response.text[:2000]
    match = re.search(r"/images/(\d+)/$", response.url)
    assert match, f"the upload did not lead to the image's page: {response.url}"
    image = match[1]

    wait_until(
        lambda: editor.get(f"/images/{image}/renditions/").json()["ready"],
        WORK_SECONDS,
        "the worker makes the renditions of an image uploaded on web",
        fleet,
    )
    # A reader who is not logged in sees them too (a public image).
    html = fleet.browser().get(f"/images/{image}/").text
    renditions = srcset_urls(html)
    expected = {"webp": "WEBP", "fallback": "JPEG"}
    for kind, candidates in renditions.items():
        assert [width for _, width in candidates] == [400, 1600]
        for url, width in candidates:
            # Presigned by S3 (moto): the file is in the bucket, not on either dyno's disk.
            assert url.startswith(f"{fleet.s3_endpoint}/"), url
            assert "X-Amz-Signature=" in url
            got = requests.get(url, timeout=10)
            assert got.status_code == 200, (url, got.status_code, got.text[:500])
            with Image.open(io.BytesIO(got.content)) as picture:
                assert (picture.format, picture.width) == (expected[kind], width)
    assert not any(Path(fleet.web.root, "media").iterdir()), "media written to web's disk"
    assert not any(Path(fleet.worker.root, "media").iterdir()), "media written to worker's disk"


def test_guide_published_in_the_admin_on_web_is_found_by_search_on_web(fleet):
    editor = fleet.browser()
    editor.log_in(fleet.username, fleet.password)
    word, slug = random_word(), f"fleet-{random_word(8)}"
    add = "/admin/guides/guide/add/"
    fields = form_fields(
        editor.get(add).text,
        "guide_form",
        title="Harbour lights",
        slug=slug,
        excerpt="",
        body=f"<h2>Harbour</h2><p>The {word} at dawn.</p>",
        status="published",
        _save="Save",
    )
    response = editor.post(add, data=fields)
    assert response.ok and response.url.endswith("/admin/guides/guide/"), (
        f"the admin did not save the guide ({response.url}):\n"
        + re.sub(r"\s+", " ", response.text)[:3000]
    )
    # The guide is published on web (the database is shared)…
    listing = fleet.browser().get("/guides/").text
    assert f"/{slug}/" in listing

    # …and the index update the web queued is made by the worker: web's search must find it.
    last_page = []

    def found() -> bool:
        page = fleet.browser().get("/search/", params={"q": word})
        assert page.status_code == 200, page.status_code
        last_page[:] = [page.text]
        return f"/{slug}/" in page.text

    def main_content() -> str:
        text = last_page[0] if last_page else ""
        text = text[text.find("<main") :] if "<main" in text else text
        return "the search page on web said: " + re.sub(r"\s+", " ", text)[:1500]

    wait_until(
        found, WORK_SECONDS, f"/search/?q={word} on web finds the guide", fleet, main_content
    )
