"""Load test: mixed partner traffic against gunicorn on a loopback port, bounded in time and volume.

    python bench/load.py --duration 300 --users 8      # `make load`: five minutes
    python bench/load.py --duration 30                 # the short run in tests/faults/test_load.py

It seeds its own partners, keys and cohorts in the database of DATABASE_URL (created and migrated if needed),
starts gunicorn with the production settings and gunicorn.conf.py (its workers and threads unless told otherwise;
Redis from `--redis-url` as a production node has it), and drives these requests from `--users` threads, each with
its own partner key and one keep-alive connection (`http.client`: a light client, since it shares the cores):
  60 % reads       cohort list, progress, trainees, count returns
  25 % submissions one count return each, each to a cohort without a pending return
  15 % bulk        one bulk enrollment of 10 new trainees

Targets, checked at the end: no 5xx at all, and every acknowledged write is a row in the database (and no row
without an acknowledgement). Prints one JSON summary line (requests/s, p50/p95/p99 in ms, statuses, the CPU a
request of gunicorn and of the client, how busy the machine was) and exits 1 if a target was missed. The goal of
issue 19, at least 150 requests/s with p95 under 100 ms and no 5xx on a quiet machine, is printed (ok/NO) and
recorded as `goal_met`; it does not set the exit status, since a busy machine misses it whatever the code does.
Throttling is lifted for the run: it measures capacity, not the per-key budget.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import runpy
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAX_REQUESTS = 2_000_000  # a bound on the volume whatever the duration
BULK_SIZE = 10
RETURN_COHORTS = 3000  # per partner: more than the submissions of a five-minute run
# The goal (issue 19), for a quiet machine: this much of the mixed traffic, this fast, and no 5xx.
GOAL_REQUESTS_PER_S = 150
GOAL_P95_MS = 100


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def seed(run: str, users: int) -> dict:
    """One training command, academy and open cohort per simulated partner, with a key each, and the cohorts its
    count returns go to."""
    import datetime as dt

    from academies.scope import SYSTEM
    from academies.services import api_key_create
    from tests.factories import (
        AcademyFactory,
        CohortFactory,
        CourseFactory,
        NationFactory,
        OrganisationFactory,
        TrainingCommandFactory,
    )
    from trainees.models import Cohort

    nation = NationFactory(code="PL") if not _nation_exists("PL") else _nation("PL")
    today = dt.date.today()
    course = CourseFactory(code=f"load-{run}", max_cohort_size=100_000)
    partners = []
    for n in range(users):
        command = TrainingCommandFactory(code=f"ld{run}-{n}", nation=nation)
        academy = AcademyFactory(slug=f"ld{run}-{n}", command=command, nation=nation, seat_capacity=100_000)
        cohort = CohortFactory(
            reference=f"LD-{run}-{n}",
            course=course,
            academy=academy,
            seats=100_000,
            has_roster=True,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=60),
        )
        # A cohort takes one pending return at a time: each submission goes to a cohort that has none yet. These are
        # courses that ended last week and await their final count. Were they still running,
        # each partner would run thousands of cohorts without a trainer, and every /progress/ would list them all
        # as staffing gaps: a world a hundred times the demo's, which the benchmarks measure at 100x instead.
        for_returns = Cohort.objects.bulk_create(
            Cohort(
                reference=f"LD-{run}-{n}-R{index:05d}",
                course=course,
                academy=academy,
                seats=100,
                starts_on=today - dt.timedelta(days=60),
                ends_on=today - dt.timedelta(days=7),
                status=Cohort.Status.COMPLETED,
            )
            for index in range(RETURN_COHORTS)
        )
        organisation = OrganisationFactory(slug=f"ld{run}-{n}", kind="training_command", command=command)
        _key, plaintext = api_key_create(organisation=organisation, name=f"load {run} {n}", actor=SYSTEM)
        partners.append({"key": plaintext, "cohort": cohort.pk, "return_cohorts": [row.pk for row in for_returns]})
    return {"partners": partners, "as_of": (today - dt.timedelta(days=1)).isoformat()}


def _nation_exists(code: str) -> bool:
    from academies.models import Nation

    return Nation.objects.filter(code=code).exists()


def _nation(code: str):
    from academies.models import Nation

    return Nation.objects.get(code=code)


def count_rows(run: str) -> dict:
    from trainees.models import CountReturn, Enrollment

    return {
        "count_returns": CountReturn.objects.filter(cohort__reference__startswith=f"LD-{run}-").count(),
        "enrollments": Enrollment.objects.filter(cohort__reference__startswith=f"LD-{run}-").count(),
    }


def start_gunicorn(workers: int, log: Path, *, threads: int = 1, redis_url: str = "") -> tuple[subprocess.Popen, str]:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY", "load-test-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"),
        DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        EUMAM_RECORD_SIGNING_KEY=env.get("EUMAM_RECORD_SIGNING_KEY", "bG9hZC10ZXN0LW9ubHktc2lnbmluZy1zZWVkLTMyYiE="),
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        EUMAM_API_RATE_PARTNER="100000000/min",
    )
    if redis_url:  # the cache (and the API throttles' counters in it) and the broker of a production node
        env["REDIS_URL"] = redis_url
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--access-logfile",
        "/dev/null",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 (our own gunicorn)
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/health/", timeout=5)
            return process, url
        except requests.RequestException:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.latencies_by_kind: dict[str, list[float]] = {}
        self.statuses: Counter = Counter()
        self.by_kind: Counter = Counter()
        self.acknowledged = {"count_returns": 0, "enrollments": 0}
        self.transport_errors = 0

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.latencies_by_kind.setdefault(kind, []).append(seconds)
            self.statuses[status] += 1
            self.by_kind[kind] += 1


def warm_up(url: str, key: str, workers: int) -> None:
    """A few requests on connections of their own before the clock starts, so each worker has loaded its code."""
    for _ in range(2 * workers):
        connection = Connection(url, key)
        for path in ("/api/v1/cohorts/", "/api/v1/progress/"):
            connection.request("GET", path)
        connection.close()


class Connection:
    """One keep-alive HTTP/1.1 connection, a partner system's: `http.client` with no pool or retry layer above it,
    so that the load generator, which shares the cores with the server, spends little of them.

    It reconnects when the server closed the connection (a response with `Connection: close`, or a worker that
    was recycled while the connection was idle); a request is never sent twice.
    """

    def __init__(self, url: str, key: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        self.headers = {"Authorization": f"Api-Key {key}", "Accept": "application/json"}

    def request(self, method: str, path: str, body: dict | None = None) -> int:
        headers = self.headers
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers = {**headers, "Content-Type": "application/json"}
        if self._closed_by_server():
            self.connection.close()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        return response.status

    def _closed_by_server(self) -> bool:
        """Whether an idle connection can be read from: at rest, that means the server closed it."""
        sock = self.connection.sock
        if sock is None:
            return False
        readable, _writable, _failed = select.select([sock], [], [], 0)
        return bool(readable)

    def close(self) -> None:
        self.connection.close()


def partner(url: str, data: dict, who: dict, stats: Stats, deadline: float, budget: list[int], seed_: int) -> None:
    rng = random.Random(seed_)  # noqa: S311 (traffic mix, not security)
    connection = Connection(url, who["key"])
    cohort = who["cohort"]
    return_cohorts = iter(who["return_cohorts"])
    reporting = next(return_cohorts)
    serial = 0
    reads = [
        "/api/v1/cohorts/",
        "/api/v1/progress/",
        "/api/v1/trainees/?page_size=50",
        "/api/v1/count-returns/",
    ]
    try:
        while time.monotonic() < deadline:
            with stats.lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            roll = rng.random()
            started = time.perf_counter()
            try:
                if roll < 0.60:
                    kind = "read"
                    status = connection.request("GET", rng.choice(reads))
                elif roll < 0.85:
                    kind = "count_return"
                    body = {
                        "cohort": reporting,
                        "as_of": data["as_of"],
                        "enrolled": 100,
                        "completed": rng.randint(0, 90),
                    }
                    body["withdrawn"] = rng.randint(0, 100 - body["completed"])
                    status = connection.request("POST", "/api/v1/count-returns/", body)
                    if 200 <= status < 300:
                        reporting = next(return_cohorts, reporting)
                        with stats.lock:
                            stats.acknowledged["count_returns"] += 1
                else:
                    kind = "bulk_enrollments"
                    items = []
                    for _ in range(BULK_SIZE):
                        serial += 1
                        items.append({"cohort": cohort, "trainee": f"UA-LD-{seed_:04d}-{serial:07d}"})
                    status = connection.request("POST", "/api/v1/enrollments/bulk/", {"items": items})
                    if 200 <= status < 300:
                        with stats.lock:
                            stats.acknowledged["enrollments"] += BULK_SIZE
            except (OSError, http.client.HTTPException):
                with stats.lock:
                    stats.transport_errors += 1
                continue
            stats.record(kind, status, time.perf_counter() - started)
    finally:
        connection.close()


# CPU ACCOUNTING
# Client, server and database share the cores: what each spent tells which one held the rate back.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces); field 3 of man proc(5) first."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def server_cpu_seconds(master: int) -> float:
    """CPU seconds of gunicorn so far: the arbiter, its live workers, and the workers it already reaped."""
    try:
        fields = _stat_fields(master)
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime: fields 14 to 17 of proc(5), 11 to 14 here.
    ticks = sum(int(value) for value in fields[11:15])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            worker = _stat_fields(int(entry.name))
        except OSError:
            continue
        if worker[1] == str(master):  # the parent's pid, field 4 of proc(5)
            ticks += int(worker[11]) + int(worker[12])
    return ticks / CLOCK_TICKS


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_metrics(summary: dict) -> list[dict]:
    """The run's figures as `make bench` metrics (bench/__main__.py), each goal checked. Scale "load": the load
    test's world is its own eight partners, the same whatever the scales of the run."""

    def metric(name: str, value, unit: str, goal: str | None = None, ok: bool | None = None) -> dict:
        return {"name": name, "scale": "load", "value": value, "unit": unit, "ratio": None, "goal": goal, "ok": ok}

    writes_match = summary["rows"] == summary["acknowledged"] and summary["transport_errors"] == 0
    return [
        metric(
            "load.requests_per_s",
            summary["requests_per_s"],
            "req/s",
            f">= {GOAL_REQUESTS_PER_S} (quiet machine)",
            summary["requests_per_s"] >= GOAL_REQUESTS_PER_S,
        ),
        metric("load.p95", summary["p95_ms"], "ms", f"< {GOAL_P95_MS} ms", summary["p95_ms"] < GOAL_P95_MS),
        metric("load.p50", summary["p50_ms"], "ms"),
        metric("load.server_errors", summary["server_errors"], "responses", "0", summary["server_errors"] == 0),
        metric("load.writes_match_rows", int(writes_match), "bool", "1 (acknowledged = rows)", writes_match),
        metric("load.server_cpu_per_request", summary["server_cpu_ms_per_request"], "ms"),
        metric("load.client_cpu_per_request", summary["client_cpu_ms_per_request"], "ms"),
        metric("load.machine_busy", summary["machine_busy"], "share"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of traffic (default 300)")
    parser.add_argument("--users", type=int, default=8, help="concurrent partner threads (default 8)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default gunicorn.conf.py's)")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", ""),
        help="Redis for gunicorn's cache, throttles and broker, as in production (default REDIS_URL; unset: files)",
    )
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--log", default=str(ROOT / "var" / "load-gunicorn.log"))
    args = parser.parse_args(argv)

    # What production runs unless told otherwise: gunicorn.conf.py's workers and threads (WEB_CONCURRENCY and
    # GUNICORN_THREADS, or its defaults).
    configured = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    args.workers = configured["workers"] if args.workers is None else args.workers
    args.threads = configured["threads"] if args.threads is None else args.threads
    _setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The load test needs PostgreSQL: set DATABASE_URL (make load does).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    run = f"{int(time.time()) % 100000:05d}"
    data = seed(run, args.users)
    connection.close()

    Path(args.log).parent.mkdir(parents=True, exist_ok=True)
    process, url = start_gunicorn(args.workers, Path(args.log), threads=args.threads, redis_url=args.redis_url)
    stats = Stats()
    budget = [args.max_requests]
    try:
        warm_up(url, data["partners"][0]["key"], args.workers)
        server_before, client_before = server_cpu_seconds(process.pid), time.process_time()
        machine_before = machine_cpu_ticks()
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(target=partner, args=(url, data, who, stats, deadline, budget, n), daemon=True)
            for n, who in enumerate(data["partners"])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - client_before
        server_cpu = server_cpu_seconds(process.pid) - server_before
        machine_after = machine_cpu_ticks()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

    rows = count_rows(run)
    server_errors = sum(count for status, count in stats.statuses.items() if status >= 500)
    total = sum(stats.statuses.values())
    summary = {
        "duration_s": round(elapsed, 1),
        "users": args.users,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "redis": bool(args.redis_url),
        "requests": total,
        "requests_per_s": round(total / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(stats.latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(stats.latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(stats.latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(stats.latencies) * 1000, 1) if stats.latencies else 0,
        "p95_ms_by_kind": {
            kind: round(percentile(values, 0.95) * 1000, 1) for kind, values in sorted(stats.latencies_by_kind.items())
        },
        "by_kind": dict(stats.by_kind),
        "statuses": {str(status): count for status, count in sorted(stats.statuses.items())},
        "server_errors": server_errors,
        "transport_errors": stats.transport_errors,
        "acknowledged": stats.acknowledged,
        "rows": rows,
        "cpus": os.cpu_count(),
        # CPU seconds per request of the load generator and of gunicorn, and how busy the whole machine was (all
        # cores; PostgreSQL and anything else running make up the rest of it).
        "client_cpu_ms_per_request": round(client_cpu / total * 1000, 2) if total else 0,
        "server_cpu_ms_per_request": round(server_cpu / total * 1000, 2) if total else 0,
        "machine_busy": round((machine_after[0] - machine_before[0]) / max(1, machine_after[1] - machine_before[1]), 2),
    }
    summary["ok"] = server_errors == 0 and stats.transport_errors == 0 and rows == stats.acknowledged and total > 0
    summary["goal"] = f">= {GOAL_REQUESTS_PER_S} req/s, p95 < {GOAL_P95_MS} ms, no 5xx (on a quiet machine)"
    summary["goal_met"] = (
        summary["ok"] and summary["requests_per_s"] >= GOAL_REQUESTS_PER_S and summary["p95_ms"] < GOAL_P95_MS
    )
    print(
        f"load test: {summary['requests_per_s']} req/s, p95 {summary['p95_ms']} ms, {server_errors} 5xx; "
        f"goal {summary['goal']}: {'ok' if summary['goal_met'] else 'NO'}",
        file=sys.stderr,
    )
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
