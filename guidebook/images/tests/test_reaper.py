import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from guidebook.images import reaper

from .factories import create_image, image_bytes

pytestmark = pytest.mark.django_db


def make_old(name: str, hours: int = 48) -> None:
    past = time.time() - hours * 3600
    os.utime(default_storage.path(name), (past, past))


def reap(*args) -> str:
    out = StringIO()
    call_command("reap_orphans", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files():
    """An image in use (old), an old orphan and a fresh orphan."""
    reaper.reap_orphaned_files(grace_hours=0)  # files left by earlier tests share MEDIA_ROOT
    image = create_image(data=image_bytes(color=(11, 22, 33)))
    make_old(image.file.name)
    old = default_storage.save("originals/00/old-orphan.jpg", ContentFile(b"x"))
    make_old(old)
    fresh = default_storage.save("renditions/00/fresh-orphan/400w.webp", ContentFile(b"y"))
    return image.file.name, old, fresh


def test_reaper_deletes_old_orphans_and_keeps_used_and_fresh_files(files):
    used, old, fresh = files
    output = reap("--grace-hours", "24")
    assert not default_storage.exists(old)
    assert default_storage.exists(used) and default_storage.exists(fresh)
    assert (
        "Scanned 3 file(s): 1 in use, 1 unreferenced but within the grace period (kept), "
        "1 orphan(s) deleted. 0 upload key(s) never confirmed deleted." in output
    )


def test_second_run_is_a_no_op(files):
    reap()
    assert "0 orphan(s) deleted." in reap()


def test_dry_run_deletes_nothing(files):
    output = reap("--dry-run", "--grace-hours", "0")
    assert all(default_storage.exists(name) for name in files)
    assert "2 orphan(s) would be deleted (dry run)." in output


def test_grace_hours_zero_deletes_fresh_orphans_too(files):
    used, _old, fresh = files
    reap("--grace-hours", "0", "-v", "2")
    assert not default_storage.exists(fresh) and default_storage.exists(used)
