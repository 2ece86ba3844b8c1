"""Production settings, static files and logs: what a deployment relies on."""

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from config.settings import base
from guidebook.core.logging import JsonLineFormatter, syslog_handler

ROOT = Path(__file__).resolve().parents[3]
REAL_SECRET = "x7!kq" * 12


# What a fleet deployment sets: shared services for every kind of state (docs/deploy.md).
FLEET = {
    "SECRET_KEY": REAL_SECRET,
    "ALLOWED_HOSTS": "guidebook.example.com",
    "DATABASE_URL": "postgres://guidebook@db.example.com:5432/guidebook",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "CELERY_BROKER_URL": "amqp://guidebook@mq.example.com:5672//",
    "AWS_STORAGE_BUCKET_NAME": "guidebook-media",
    "SEARCH_URL": None,
    "SINGLE_MACHINE": None,
}


def manage(*args, **env):
    """manage.py with production settings in a fresh process; a variable given as None is
    removed from the environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("secret", ["", "short", base.INSECURE_DEV_SECRET_KEY])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = manage("check", SECRET_KEY=secret, ALLOWED_HOSTS="guidebook.example.com")
    assert result.returncode != 0
    assert "You must set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", SECRET_KEY=REAL_SECRET, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "You must set ALLOWED_HOSTS" in result.stderr


def test_production_never_installs_the_debug_toolbar():
    """Even when DEBUG is left unset, which base.py treats as the local profile."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print('debug_toolbar' in settings.INSTALLED_APPS, settings.DEBUG, "
        "any('debug_toolbar' in m for m in settings.MIDDLEWARE))",
        **{**FLEET, "DEBUG": None},
    )
    assert result.stdout.split()[-3:] == ["False", "False", "False"], result.stderr


def test_check_deploy_passes_with_a_realistic_production_environment():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **FLEET,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# One machine's disk or one process's memory: each change to FLEET, and what the refusal must
# tell the operator to set.
LOCAL_STATE = {
    "media on the local disk": ({"AWS_STORAGE_BUCKET_NAME": None}, "set AWS_STORAGE_BUCKET_NAME"),
    "a cache in each process's memory": ({"REDIS_URL": None}, "set REDIS_URL"),
    "a SQLite database": (
        {"DATABASE_URL": "sqlite:////tmp/guidebook.sqlite3"},
        "set DATABASE_URL to a PostgreSQL database",
    ),
}


@pytest.mark.parametrize(("change", "advice"), LOCAL_STATE.values(), ids=LOCAL_STATE.keys())
def test_production_refuses_state_on_one_machines_disk(change, advice):
    result = manage("check", **{**FLEET, **change})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert advice in result.stderr
    assert "SINGLE_MACHINE=true" in result.stderr


def test_a_file_based_search_index_is_refused_everywhere_even_on_one_machine():
    """The Whoosh index on disk is gone: every profile refuses it and says what to do."""
    change = {"SEARCH_URL": "whoosh:///tmp/guidebook-whoosh", "SINGLE_MACHINE": "true"}
    result = manage("check", **{**FLEET, **change})
    assert result.returncode != 0
    assert "unset SEARCH_URL, run migrate" in result.stderr


def test_production_never_takes_the_embedded_defaults_for_media_and_database():
    """Both are named at once, so that one failed start tells the operator everything."""
    result = manage("check", **{**FLEET, "DATABASE_URL": None, "AWS_STORAGE_BUCKET_NAME": None})
    assert result.returncode != 0
    assert "set AWS_STORAGE_BUCKET_NAME" in result.stderr
    assert "set DATABASE_URL" in result.stderr


def test_production_accepts_state_on_local_disk_when_declared_single_machine():
    every_change = {
        key: value for change, _ in LOCAL_STATE.values() for key, value in change.items()
    }
    result = manage("check", "--deploy", **{**FLEET, **every_change, "SINGLE_MACHINE": "true"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_accepts_s3_media_postgresql_and_redis():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'], "
        "settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'], "
        "settings.SESSION_ENGINE, settings.SINGLE_MACHINE)",
        **FLEET,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "storages.backends.s3.S3Storage",
        "django.db.backends.postgresql",
        "guidebook.core.cache.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "False",
    ]


def test_one_machine_without_redis_shares_a_cache_on_its_disk(tmp_path):
    """Its web workers are several processes: a per-process cache would keep their cached pages
    apart, so that an edit shown by one would not empty the others'."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], "
        "settings.CACHES['default']['LOCATION'])",
        **{**FLEET, "REDIS_URL": None, "SINGLE_MACHINE": "true", "CACHE_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django.core.cache.backends.filebased.FileBasedCache",
        str(tmp_path),
    ]


def test_collectstatic_builds_a_compressed_manifest(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    assert (tmp_path / hashed).exists()
    assert (tmp_path / f"{hashed}.gz").exists()
    assert "admin/css/base.css" in manifest["paths"]


def test_log_records_are_single_json_lines():
    record = logging.LogRecord(
        "guidebook.test", logging.WARNING, __file__, 1, 'a "quoted"\nmessage', None, None
    )
    line = JsonLineFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"asctime": None} == {
        "asctime": None,
        "level": "WARNING",
        "logger": "guidebook.test",
        "message": 'a "quoted"\nmessage',
    }


def test_syslog_handler_sends_json_lines_to_syslog_address(settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as collector:
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(5)
        settings.SYSLOG_ADDRESS = f"127.0.0.1:{collector.getsockname()[1]}"
        handler = syslog_handler()
        handler.setFormatter(JsonLineFormatter())
        logger = logging.getLogger("guidebook.syslog-test")
        logger.addHandler(handler)
        try:
            logger.error("disk nearly full")
        finally:
            logger.removeHandler(handler)
            handler.close()
        datagram = collector.recv(4096).decode()
    assert datagram.startswith("<")  # the syslog priority
    payload = json.loads(datagram[datagram.index(">") + 1 :].rstrip("\x00"))
    assert payload["message"] == "disk nearly full"
    assert payload["level"] == "ERROR"
