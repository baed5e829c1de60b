"""DATABASE_URL with several hosts (libpq multi-host failover) and DATABASE_POOLER for PgBouncer in transaction mode."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.database import pooled

ROOT = Path(__file__).resolve().parent.parent
MULTI_HOST = "postgres://eumam@10.0.1.21:6432,10.0.1.22:6432/eumam?target_session_attrs=read-write&connect_timeout=3"


def production_database(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS_URL"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-production-secret-from-the-environment-0123456789abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="eumam.example.eu",
        EUMAM_RECORD_SIGNING_KEY="dGVzdC1vbmx5LXJlY29yZC1zaWduaW5nLXNlZWQtMzI=",  # a test-only seed
        **env,
    )
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.DATABASES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_database_url_with_two_hosts_reaches_libpq_as_a_host_list_with_its_session_attributes():
    database = production_database(DATABASE_URL=MULTI_HOST)
    assert database["HOST"] == "10.0.1.21,10.0.1.22"
    assert database["PORT"] == "6432,6432"
    assert database["OPTIONS"] == {"target_session_attrs": "read-write", "connect_timeout": 3}


def test_behind_pgbouncer_in_transaction_mode_server_side_cursors_are_off():
    database = production_database(DATABASE_URL=MULTI_HOST, DATABASE_POOLER="pgbouncer-transaction")
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["CONN_HEALTH_CHECKS"] is True
    assert "prepare_threshold" not in database["OPTIONS"]


def test_without_a_pooler_server_side_cursors_stay_on():
    assert production_database(DATABASE_URL=MULTI_HOST).get("DISABLE_SERVER_SIDE_CURSORS", False) is False


def test_it_refuses_an_unknown_pooler_and_prepared_statements_behind_pgbouncer():
    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"prepare_threshold": 5}}
    with pytest.raises(ValueError, match="DATABASE_POOLER must be one of"):
        pooled(postgres, "pgbouncer-session")
    with pytest.raises(ValueError, match="no prepared statements"):
        pooled(postgres, "pgbouncer-transaction")
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    assert pooled(sqlite, "pgbouncer-transaction") == sqlite
