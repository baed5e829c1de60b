"""Registering a trainer through the API is one service call: an inactive trainer is created inactive."""

import pytest

from academies.models import Trainer

pytestmark = pytest.mark.django_db


def test_a_trainer_posted_inactive_is_created_inactive_in_one_write(world, monkeypatch):
    from academies import services

    calls = {"create": 0, "update": 0}
    create, update = services.trainer_create, services.trainer_update

    def counted_create(**kwargs):
        calls["create"] += 1
        return create(**kwargs)

    def counted_update(**kwargs):
        calls["update"] += 1
        return update(**kwargs)

    monkeypatch.setattr(services, "trainer_create", counted_create)
    monkeypatch.setattr(services, "trainer_update", counted_update)
    body = {
        "reference": "T-A-901",
        "nation": "PL",
        "qualifications": ["basic"],
        "languages": ["en"],
        "is_active": False,
    }

    response = world.client("ministry_a").post("/api/v1/trainers/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["is_active"] is False
    trainer = Trainer.objects.get(reference="T-A-901")
    assert calls == {"create": 1, "update": 0}
    assert {row.is_active for row in trainer.history.all()} == {False}
