"""`manage.py verify_training_record FILE [--keys KEYS_FILE]`: check a signed training record offline.

The keys are the published ones (`GET /api/v1/training-record-keys/`, saved to a file), or, without `--keys`, those
in this installation's rotation record. Exits with status 1, saying why, when the record does not verify.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config import signing


def keys_from_json(data: Any) -> dict[str, dict[str, Any]]:
    """Published keys by key id, from the keys endpoint's answer, a list of its entries, or {key_id: public_key}."""
    entries = data.get("keys", data) if isinstance(data, dict) else data
    if isinstance(entries, dict) and all(isinstance(value, str) for value in entries.values()):
        return {key_id: {"key_id": key_id, "public_key": value} for key_id, value in entries.items()}
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise CommandError("The keys file is not the published key list (GET /api/v1/training-record-keys/).")
    try:
        return {str(entry["key_id"]): entry for entry in entries}
    except KeyError as error:
        raise CommandError("A key in the keys file has no key_id.") from error


def _moment(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


class Command(BaseCommand):
    help = (
        "Verify a signed training record offline: its Ed25519 signature over the canonical JSON of the record, "
        "against the published record-signing keys. Exits with status 1 if it does not verify."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The signed training record (JSON), as exported by the API.")
        parser.add_argument(
            "--keys",
            dest="keys_file",
            help="The published keys (JSON saved from GET /api/v1/training-record-keys/). Default: this "
            "installation's rotation record.",
        )

    def handle(self, *args, file: str, keys_file: str | None = None, **options) -> None:
        document = self._read_json(file, "record")
        if keys_file:
            keys = keys_from_json(self._read_json(keys_file, "keys"))
        else:
            from trainees.models import SigningKey

            keys = {row["key_id"]: dict(row) for row in SigningKey.objects.values("key_id", "public_key", "retired_at")}
        try:
            record = signing.verify(
                document, {key_id: str(entry.get("public_key", "")) for key_id, entry in keys.items()}
            )
        except signing.SignatureError as error:
            raise CommandError(f"{file} does NOT verify: {error}") from error
        key_id = document["signature"]["key_id"]
        retired_at = keys[key_id].get("retired_at")
        retired = retired_at if isinstance(retired_at, dt.datetime) else _moment(retired_at)
        issued = _moment(record.get("issued_at"))
        if retired is not None and (issued is None or issued > retired):
            raise CommandError(f"{file} does NOT verify: it claims to be issued after key {key_id} was retired.")
        courses = record.get("courses") or []
        self.stdout.write(
            self.style.SUCCESS(
                f"{file} verifies: the training record of {record.get('trainee')} ({len(courses)} courses), "
                f"issued {record.get('issued_at')}, signed with key {key_id}."
            )
        )

    @staticmethod
    def _read_json(path: str, what: str) -> Any:
        try:
            return json.loads(Path(path).read_bytes().decode("utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read the {what} file {path}: {error.strerror}.") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"The {what} file {path} is not UTF-8 JSON: {error}.") from error
