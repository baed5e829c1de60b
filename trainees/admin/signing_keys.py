"""The rotation record of the keys that sign training records (issue 18), read-only, for mission HQ.

Keys are registered by `manage.py register_record_signing_key` (`trainees.services.signing_keys`) and retired, never
deleted: the public halves stay published at `/api/v1/training-record-keys/`, so older records still verify.
"""

from __future__ import annotations

from django.contrib import admin

from academies.admin_scope import ScopedAdminMixin
from config.admin import ReadOnlyAdminMixin

from ..signing_keys import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """An official record, kept by the command: never added, changed or deleted here."""

    list_display = ("key_id", "algorithm", "activated_at", "retired_at", "reason")
    fields = ("key_id", "algorithm", "public_key", "activated_at", "retired_at", "reason")
    readonly_fields = fields
    show_full_result_count = False
