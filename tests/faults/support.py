"""Starting and stopping the real services the fault tests break: gunicorn, Celery workers, PostgreSQL, Redis."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def postgres_only() -> None:
    import pytest

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL (CI's PostgreSQL run does)")


def redis_url_or_skip() -> str:
    import pytest

    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (CI's PostgreSQL run does)")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database pytest-django created, for the subprocesses to share the test's data."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def service_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=test_database_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONDONTWRITEBYTECODE="1",
        EUMAM_VAR_DIR=str(Path(settings.VAR_DIR)),
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def gunicorn(log: Path, *, workers: int = 3, threads: int = 1, **env: str) -> Iterator[str]:
    """gunicorn on a loopback port, with production settings as in the Procfile; yields its base URL."""
    port = free_port()
    environment = service_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="fault-test-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        EUMAM_RECORD_SIGNING_KEY="ZmF1bHQtdGVzdC1vbmx5LXNpZ25pbmctc2VlZC0zMiE=",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        **env,
    )
    command = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--graceful-timeout",
        "5",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/health/", headers={"Accept": "application/json"}, timeout=5).status_code < 600:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop(process)


@contextlib.contextmanager
def celery_worker(log: Path, **env: str) -> Iterator[subprocess.Popen]:
    """A real Celery worker (solo pool: the task runs in the process a SIGKILL hits) against the test's Redis."""
    command = [
        str(VENV_BIN / "celery"),
        "-A",
        "config.celery_app",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"fault-{os.getpid()}-{time.monotonic_ns()}@localhost",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=service_env(**env), stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(predicate, *, timeout: float, interval: float = 0.25, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# POSTGRESQL


def postgres_restart() -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=60,
    )


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False).returncode == 0


def postgres_ensure_up() -> None:
    if not postgres_ready():
        version = os.listdir("/etc/postgresql")[0]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False, timeout=60
        )
    wait_for(postgres_ready, timeout=60, what="PostgreSQL")


# REDIS


def redis_ready() -> bool:
    result = subprocess.run(["redis-cli", "-p", "6379", "ping"], check=False, capture_output=True, text=True)
    return result.stdout.strip() == "PONG"


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True, timeout=30)
    wait_for(lambda: not redis_ready(), timeout=20, what="Redis to stop")


def redis_ensure_up() -> None:
    if not redis_ready():
        os.makedirs("/var/lib/redis", exist_ok=True)
        os.makedirs("/var/log/redis", exist_ok=True)
        subprocess.run(REDIS_START, check=True, capture_output=True, timeout=30)
    wait_for(redis_ready, timeout=30, what="Redis")


def redis_purge(url: str) -> None:
    """Drop leftover Celery messages of an earlier run from the test's Redis database."""
    import redis

    client = redis.Redis.from_url(url)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
