import pytest


@pytest.fixture(autouse=True)
def renditions_in_process(request, monkeypatch):
    """Outside the real-worker tests, run the rendition task's service in-process on commit,
    as eager mode would, so that no test leaves messages on a real broker for a later worker."""
    if "celery_worker" in request.fixturenames:
        return
    from guidebook.images import services

    monkeypatch.setattr(
        services,
        "queue_renditions",
        lambda image_id: services.generate_renditions(image_id=image_id),
    )
