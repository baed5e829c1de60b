"""The partner models live in their own modules of `academies` (academies/partner_models.py, event_models.py), on
the tables they always had: moving their code needed no migration and copied no table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from academies import models
from academies.event_models import Event, WebhookDelivery, WebhookEndpoint
from academies.partner_models import IdempotencyRecord, OrganisationAPIKey

PARTNER_MODELS = [OrganisationAPIKey, IdempotencyRecord, Event, WebhookEndpoint, WebhookDelivery]


@pytest.mark.parametrize("model", PARTNER_MODELS, ids=lambda model: model.__name__)
def test_a_partner_model_keeps_its_app_and_table_and_is_still_importable_from_academies_models(model):
    assert model._meta.app_label == "academies"
    assert model._meta.db_table == f"academies_{model._meta.model_name}"
    assert getattr(models, model.__name__) is model


@pytest.mark.django_db
def test_no_model_change_waits_for_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 when a migration is missing
    assert "No changes detected" in out.getvalue()
