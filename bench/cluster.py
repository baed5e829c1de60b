"""The processes of the local cluster drill (bench/drill.py), each started here and stopped by its own pid.

Everything listens on loopback ports picked free at start, under one temporary folder: two PostgreSQL clusters
(a primary and a streaming replica made with pg_basebackup), a PgBouncer in transaction mode in front of each, a
Redis, two gunicorn web nodes behind HAProxy, Celery workers and beats. Nothing here touches the system
PostgreSQL (5432) or Redis (6379).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "eumam"
SECRET = "drill-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"  # noqa: S105 (a throwaway cluster)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2) -> float:
    """Wait until `predicate()` holds; return the seconds it took. Every wait of the drill is bounded."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise DrillError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - started


class DrillError(Exception):
    pass


def _as_postgres() -> list[str]:
    """PostgreSQL and PgBouncer refuse to run as root: as root, drop to the postgres user (setpriv execs, so the pid
    we hold is the server's own)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


@dataclass
class Cluster:
    """Every process the drill started, by name, and the folder they share."""

    folder: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    # PROCESSES

    def start(self, name: str, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None):
        log = self.folder / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            # Its own session: a web node's gunicorn master and its workers are stopped (or killed) as one group.
            process = subprocess.Popen(  # noqa: S603 (our own servers, fixed arguments)
                command,
                cwd=cwd or ROOT,
                env=env or os.environ.copy(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.folder / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal one process (and its group: a gunicorn master's workers) by its own pid."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    def stop(self, name: str, *, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        # The application first, then its services: web and workers, beat, balancer, poolers, Redis, PostgreSQL.
        order = sorted(self.processes, key=lambda name: ("postgres" in name, "redis" in name, "pgbouncer" in name))
        for name in order:
            # PostgreSQL: SIGINT is its fast shutdown.
            self.stop(name, sig=signal.SIGINT if name.startswith("postgres") else signal.SIGTERM)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # POSTGRESQL

    def pg(self, tool: str, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(  # noqa: S603
            [*_as_postgres(), str(PG_BIN / tool), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd="/",
        )
        if result.returncode:
            raise DrillError(f"{tool} failed: {result.stderr.strip()[-2000:]}")
        return result.stdout

    def sql(self, port: int, query: str, database: str = "postgres") -> str:
        return subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-Atqc", query],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()

    def ready(self, port: int) -> bool:
        command = [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        return subprocess.run(command, check=False).returncode == 0  # noqa: S603 (fixed arguments)

    def postgres_primary(self) -> int:
        port = self.ports["primary"] = free_port()
        data = self.folder / "primary"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\n"
                "wal_level = replica\nmax_wal_senders = 5\nwal_keep_size = '256MB'\n"
                "max_connections = 100\ntimezone = 'UTC'\nlog_timezone = 'UTC'\n"
                # Asynchronous streaming replication, the default: a commit is acknowledged once it is on the
                # primary's disk. docs/deployment.md says what synchronous replication would change.
                "synchronous_commit = on\nsynchronous_standby_names = ''\n"
            )
        self._postgres("postgres-primary", data, port)
        return port

    def postgres_replica(self) -> int:
        port = self.ports["replica"] = free_port()
        data = self.folder / "replica"
        self.pg(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres"),
            *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
        )
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {port}\nhot_standby = on\n")
        self._postgres("postgres-replica", data, port)
        wait_for(
            lambda: (
                self.sql(self.ports["primary"], "SELECT count(*) FROM pg_stat_replication WHERE state='streaming'")
                == "1"
            ),
            timeout=30,
            what="the replica to stream",
        )
        return port

    def _postgres(self, name: str, data: Path, port: int) -> None:
        self.start(name, [*_as_postgres(), str(PG_BIN / "postgres"), "-D", str(data), "-p", str(port)], cwd=Path("/"))
        wait_for(lambda: self.ready(port), timeout=30, what=f"{name} to accept connections")

    # PGBOUNCER

    def pgbouncer(self, name: str, server_port: int) -> int:
        port = self.ports[name] = free_port()
        config = self.folder / f"{name}.ini"
        users = self.folder / f"{name}-users.txt"
        users.write_text('"postgres" ""\n')
        self._pgbouncer_config(name, server_port)
        if os.geteuid() == 0:
            for path in (config, users):
                shutil.chown(path, "postgres", "postgres")
        self.start(name, [*_as_postgres(), "pgbouncer", str(config)], cwd=Path("/"))
        wait_for(lambda: self.ready(port), timeout=20, what=f"{name} to accept connections")
        return port

    def pgbouncer_retarget(self, name: str, server_port: int) -> None:
        """Point a PgBouncer at another server and reload it (SIGHUP to its pid), as a failover manager would."""
        self._pgbouncer_config(name, server_port)
        self.kill(name, signal.SIGHUP)

    def _pgbouncer_config(self, name: str, server_port: int) -> None:
        port, users = self.ports[name], self.folder / f"{name}-users.txt"
        (self.folder / f"{name}.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={server_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits\n"
            # Fail fast when the server behind is gone, so that libpq moves on to the next host of the conninfo.
            "server_connect_timeout = 2\nserver_login_retry = 1\nquery_wait_timeout = 5\n"
            "server_reset_query =\nlog_connections = 0\nlog_disconnections = 0\n"
        )

    def database_url(self, database: str = DATABASE) -> str:
        """libpq multi-host: the first PgBouncer (the primary behind it), then the second (the replica behind it);
        a session is taken only where it can write."""
        hosts = f"127.0.0.1:{self.ports['pgbouncer-primary']},127.0.0.1:{self.ports['pgbouncer-replica']}"
        return f"postgres://postgres@{hosts}/{database}?target_session_attrs=read-write&connect_timeout=3"

    # REDIS

    def redis(self) -> int:
        port = self.ports.setdefault("redis", free_port())
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.start("redis", [*command, "--dir", str(self.folder)])
        wait_for(self.redis_ready, timeout=20, what="Redis")
        return port

    def redis_ready(self) -> bool:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.ports["redis"]), "ping"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() == "PONG"

    # THE APPLICATION

    def app_env(self, *, production: bool, database_url: str | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS", "EUMAM_TEST"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production" if production else "config.settings.test",
            DJANGO_SECRET_KEY=SECRET,
            # The drill's own record-signing seed (production requires one); it signs nothing outside the drill.
            EUMAM_RECORD_SIGNING_KEY="ZHJpbGwtb25seS1yZWNvcmQtc2lnbmluZy1zZWVkMzI=",
            DATABASE_URL=database_url or self.database_url(),
            DATABASE_POOLER="pgbouncer-transaction",
            REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_LOG_LEVEL="WARNING",
            EUMAM_API_RATE_PARTNER="100000000/min",
            EUMAM_VAR_DIR=str(self.folder / "var"),
            CELERY_TASK_ALWAYS_EAGER="false",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra)
        return env

    def web(self, name: str, *, database_url: str | None = None) -> int:
        port = self.ports.setdefault(name, free_port())
        command = [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "2", "--graceful-timeout", "5", "--config", str(ROOT / "gunicorn.conf.py")]
        command += ["--access-logfile", "/dev/null", "--control-socket", str(self.folder / f"{name}.ctl")]
        self.start(name, command, env=self.app_env(production=True, database_url=database_url))
        return port

    def celery(self, name: str, *arguments: str, **env: str) -> None:
        """A worker or a beat with the test profile's hooks: mail to files (one per message, with a pause to be
        killed in), and a short visibility timeout so that Redis redelivers a dead worker's message in seconds."""
        command = [str(VENV_BIN / "celery"), "-A", "config.celery_app", *arguments, "--loglevel=INFO"]
        defaults = {
            "EUMAM_TEST_EMAIL_BACKEND": "tests.faults.backends.SlowFileBackend",
            "EUMAM_TEST_EMAIL_DIR": str(self.folder / "mail"),
            "EUMAM_TEST_VISIBILITY_TIMEOUT": "5",
            "DJANGO_LOG_LEVEL": "INFO",  # the drill reads "received" and "succeeded" in the worker's log
        }
        self.start(name, command, env=self.app_env(production=False, **{**defaults, **env}))

    def worker(self, name: str, *, email_delay: float) -> None:
        self.celery(
            name,
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{name}-{os.getpid()}@localhost",
            EUMAM_TEST_EMAIL_DELAY=str(email_delay),
        )

    def beat(self, name: str) -> None:
        pidfile = self.folder / f"{name}.pid"
        self.celery(
            name, "beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", f"--pidfile={pidfile}"
        )

    # THE BALANCER

    def haproxy(self, nodes: list[str]) -> int:
        port = self.ports["haproxy"] = free_port()
        socket_path = self.folder / "haproxy.sock"
        servers = "".join(f"    server {name} 127.0.0.1:{self.ports[name]} check\n" for name in nodes)
        config = self.folder / "haproxy.cfg"
        config.write_text(
            "global\n"
            f"    stats socket {socket_path} mode 600 level admin\n"
            "defaults\n"
            "    mode http\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n"
            "    retries 3\n    option redispatch 1\n"
            "frontend partners\n"
            f"    bind 127.0.0.1:{port}\n    default_backend web\n"
            "backend web\n"
            "    balance roundrobin\n"
            "    option httpchk\n"
            "    http-check send meth GET uri /health/ ver HTTP/1.1 hdr Host 127.0.0.1 hdr Accept application/json\n"
            "    http-check expect status 200\n"
            "    default-server inter 1s fall 2 rise 2\n" + servers
        )
        self.start("haproxy", ["haproxy", "-db", "-f", str(config)])
        wait_for(lambda: socket_path.exists(), timeout=10, what="HAProxy")
        return port

    def backend_status(self) -> dict[str, str]:
        """Each web node's state in HAProxy (UP, DOWN, …), from its stats socket."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.folder / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row["status"] for row in rows if row.get("pxname") == "web" and row["svname"] != "BACKEND"
        }
