"""The harness's promise: a missing service skips a test locally and fails it under CI."""

import pytest

import conftest


def test_missing_service_skips_locally(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="needs RabbitMQ"):
        conftest.service_unavailable("needs RabbitMQ")


def test_missing_service_fails_under_ci(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match=r"needs RabbitMQ .*CI=true"):
        conftest.service_unavailable("needs RabbitMQ")
