"""Every task is registered in every process that loads Django, not only in Celery workers."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LIST_TASKS = (
    "import django; django.setup(); from celery import current_app; "
    "print('\\n'.join(sorted(current_app.tasks)))"
)


def declared_task_names() -> set[str]:
    """The `name=` of every @shared_task in the apps' tasks modules, read from the source."""
    names = set()
    for path in (ROOT / "guidebook").glob("*/tasks.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "shared_task":
                names.update(kw.value.value for kw in node.keywords if kw.arg == "name")
    return names


def test_a_fresh_web_process_knows_every_task_by_name():
    declared = declared_task_names()
    assert {"core.ping", "images.generate_renditions", "accounts.fetch_profile"} <= declared
    listed = subprocess.run(
        [sys.executable, "-c", LIST_TASKS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    registered = set(listed.stdout.split())
    assert declared <= registered, f"not registered: {sorted(declared - registered)}"
