"""The optional flower process: every page behind its login, listening on loopback by default."""

import base64
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "ops:correct-horse-battery"


def get(port: int, path: str, credentials: str | None = None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if credentials:
        token = base64.b64encode(credentials.encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the IPv4 sockets listening on `port` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.fixture
def flower(rabbitmq_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "FLOWER_BASIC_AUTH": LOGIN,
        "FLOWER_PORT": str(port),
        "CELERY_BROKER_URL": rabbitmq_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("FLOWER_ADDRESS", None)
    with open(tmp_path / "flower.log", "w") as log:
        process = subprocess.Popen(
            [str(ROOT / "bin" / "flower")], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            if not wait_for_port(port, timeout=30):
                pytest.fail(f"flower did not start: {(tmp_path / 'flower.log').read_text()}")
            yield port
        finally:
            process.terminate()
            process.wait(timeout=15)


@pytest.mark.parametrize("path", ["/", "/metrics", "/healthcheck", "/api/workers"])
def test_every_flower_page_asks_for_the_login(flower, path):
    assert get(flower, path) == 401
    assert get(flower, path, "ops:wrong") == 401
    assert get(flower, path, LOGIN) == 200


def test_flower_listens_on_loopback_only_by_default(flower):
    assert listening_addresses(flower) == {"127.0.0.1"}


def test_flower_refuses_to_start_without_credentials():
    env = {k: v for k, v in os.environ.items() if k != "FLOWER_BASIC_AUTH"}
    result = subprocess.run(
        [str(ROOT / "bin" / "flower")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1 and "set FLOWER_BASIC_AUTH" in result.stderr
