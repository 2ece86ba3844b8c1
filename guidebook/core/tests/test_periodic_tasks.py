import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from guidebook.core.management.commands.setup_periodic_tasks import CRONTABS, INTERVALS

pytestmark = pytest.mark.django_db


def test_setup_periodic_tasks_installs_every_job_once():
    call_command("setup_periodic_tasks", verbosity=0)
    call_command("setup_periodic_tasks", verbosity=0)
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert tasks == {name: task for name, (task, _) in {**CRONTABS, **INTERVALS}.items()}
    daily = PeriodicTask.objects.get(task="images.reap_orphans")
    assert (daily.crontab.minute, daily.crontab.hour) == ("30", "3")
    assert PeriodicTask.objects.get(task="events.relay_outbox").interval.every == 60


def test_setup_periodic_tasks_repairs_an_edited_job():
    call_command("setup_periodic_tasks", verbosity=0)
    PeriodicTask.objects.filter(task="accounts.refresh_profiles").update(enabled=False)
    call_command("setup_periodic_tasks", verbosity=0)
    assert PeriodicTask.objects.get(task="accounts.refresh_profiles").enabled
