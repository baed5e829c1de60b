"""The settings profiles: production refuses to start without its secrets; the embedded default needs no server."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import clock

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-secret-from-the-environment-0123456789abcdefghijklmnop",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/eumam",
    "DJANGO_ALLOWED_HOSTS": "eumam.example.eu",
    "EUMAM_RECORD_SIGNING_KEY": "dGVzdC1vbmx5LXJlY29yZC1zaWduaW5nLXNlZWQtMzI=",
}


def load_settings(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "REDIS_URL"}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_production_starts_with_all_its_secrets():
    result = load_settings("config.settings.production", PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = load_settings("config.settings.production", env)
    assert result.returncode != 0
    assert f"Production needs the environment variable {missing}" in result.stderr


def test_without_database_url_the_embedded_default_uses_sqlite_and_the_filesystem_broker(tmp_path):
    result = load_settings("config.settings.local", {"EUMAM_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]
    assert (tmp_path / "broker" / "queue").is_dir()


def test_with_redis_url_celery_uses_redis(tmp_path):
    result = load_settings(
        "config.settings.local", {"EUMAM_VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/9"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "redis://127.0.0.1:6379/9"


def test_the_if_match_window_is_a_date_or_the_server_refuses_to_start(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.EUMAM_API_IF_MATCH_OPTIONAL_UNTIL)"

    def start(**value: str) -> subprocess.CompletedProcess:
        env = {name: text for name, text in os.environ.items() if name != "EUMAM_API_IF_MATCH_OPTIONAL_UNTIL"}
        env.update(EUMAM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.local", **value)
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    last_day = (clock.today() + dt.timedelta(days=30)).isoformat()
    assert start(EUMAM_API_IF_MATCH_OPTIONAL_UNTIL=last_day).stdout.split()[-1] == last_day
    refused = start(EUMAM_API_IF_MATCH_OPTIONAL_UNTIL="end of June")
    assert refused.returncode != 0 and "EUMAM_API_IF_MATCH_OPTIONAL_UNTIL must be a date" in refused.stderr
    assert start().stdout.split()[-1] == "None"
