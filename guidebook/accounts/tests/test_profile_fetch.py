import pytest

from guidebook.accounts import public_profiles
from guidebook.accounts.models import Profile
from guidebook.accounts.tasks import MAX_RETRIES, fetch_profile

from .factories import UserFactory
from .profile_service import ok


def profile_with_handle(handle):
    user = UserFactory()
    Profile.objects.filter(user=user).update(external_handle=handle)
    return Profile.objects.get(user=user)


@pytest.mark.django_db
def test_a_found_profile_is_stored(profile_service):
    profile_service.script("octocat", ok())
    profile = profile_with_handle("octocat")
    assert public_profiles.profile_fetch(profile_id=profile.pk) == "ok"
    profile.refresh_from_db()
    assert (profile.fetched_name, profile.fetch_status) == ("Octo Cat", "ok")
    assert profile.avatar_url.startswith("https://avatars.githubusercontent.com/")
    assert profile.fetched_at is not None


@pytest.mark.django_db
def test_an_unknown_handle_records_not_found(profile_service):
    profile = profile_with_handle("nobody-here")
    assert public_profiles.profile_fetch(profile_id=profile.pk) == "not_found"
    profile.refresh_from_db()
    assert profile.fetch_status == "not_found"
    assert "nobody-here" in profile.fetch_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "retry_after"),
    [
        ((500, {}, {}), None),
        ((503, {"Retry-After": "7"}, {}), 7.0),
        ((429, {"Retry-After": "3"}, {}), 3.0),
    ],
)
def test_server_errors_and_rate_limits_are_retryable(profile_service, answer, retry_after):
    profile_service.script("busy", answer)
    profile = profile_with_handle("busy")
    with pytest.raises(public_profiles.RetryableFetchError) as raised:
        public_profiles.profile_fetch(profile_id=profile.pk)
    assert raised.value.retry_after == retry_after


@pytest.mark.django_db
def test_a_hanging_service_times_out(profile_service, monkeypatch):
    monkeypatch.setattr(public_profiles, "READ_TIMEOUT", 0.5)
    profile_service.script("slow", "hang")
    profile = profile_with_handle("slow")
    with pytest.raises(public_profiles.RetryableFetchError, match="ReadTimeout"):
        public_profiles.profile_fetch(profile_id=profile.pk)
    # We gave up while the service still held the request open: our timeout ended it.
    assert profile_service.hanging == 1


def test_retry_after_accepts_seconds_and_http_dates():
    assert public_profiles.parse_retry_after("120") == 120
    assert public_profiles.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert public_profiles.parse_retry_after("soon") is None


@pytest.mark.celery_worker
def test_worker_retries_a_500_then_stores_the_profile(celery_worker, profile_service):
    profile_service.script("flaky", (500, {}, {}), ok(name="Finally"))
    profile = profile_with_handle("flaky")
    assert fetch_profile.delay(profile.pk).get(timeout=30) == "ok"
    profile.refresh_from_db()
    assert profile.fetched_name == "Finally"
    assert len(profile_service.hits("flaky")) == 2


@pytest.mark.celery_worker
def test_worker_honours_retry_after_on_429(celery_worker, profile_service):
    profile_service.script("limited", (429, {"Retry-After": "2"}, {}), ok())
    profile = profile_with_handle("limited")
    assert fetch_profile.delay(profile.pk).get(timeout=30) == "ok"
    first, second = profile_service.hits("limited")
    assert second - first >= 1.9


@pytest.mark.celery_worker
def test_worker_does_not_retry_a_404(celery_worker, profile_service):
    profile = profile_with_handle("ghost")
    assert fetch_profile.delay(profile.pk).get(timeout=30) == "not_found"
    assert len(profile_service.hits("ghost")) == 1


@pytest.mark.django_db(transaction=True)
def test_in_process_run_records_a_failure_instead_of_waiting(profile_service, settings):
    """The embedded profile runs tasks eagerly: no sleeping retries inside a request."""
    from config.celery import app

    profile_service.script("down", (502, {}, {}))
    profile = profile_with_handle("down")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert fetch_profile.delay(profile.pk).get() == "failed"
    finally:
        app.conf.task_always_eager = previous
    profile.refresh_from_db()
    assert profile.fetch_status == "failed" and "502" in profile.fetch_error
    assert MAX_RETRIES == 5
    assert len(profile_service.hits("down")) == 1


@pytest.mark.django_db
def test_profile_page_shows_the_fetch_outcome(client):
    profile = profile_with_handle("octocat")
    Profile.objects.filter(pk=profile.pk).update(
        fetch_status="failed", fetch_error="the profile service answered 503"
    )
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "couldn't fetch the public profile" in page
    assert "503" in page


@pytest.mark.django_db
def test_daily_refresh_queues_only_stale_profiles_with_handles(monkeypatch):
    from django.utils import timezone

    from guidebook.accounts import tasks

    queued = []
    monkeypatch.setattr(tasks.fetch_profile, "delay", queued.append)
    stale = profile_with_handle("stale")
    fresh = profile_with_handle("fresh")
    Profile.objects.filter(pk=fresh.pk).update(fetched_at=timezone.now())
    UserFactory()  # no handle
    assert tasks.refresh_profiles() == 1
    assert queued == [stale.pk]
