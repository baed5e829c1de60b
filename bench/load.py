"""Load test: mixed partner traffic against gunicorn on a loopback port, bounded in time and volume.

    python bench/load.py --duration 300 --users 8      # `make load`: five minutes
    python bench/load.py --duration 30                 # the short run in tests/faults/test_load.py

It seeds its own partners, keys and cohorts in the database of DATABASE_URL (created and migrated if needed),
starts gunicorn with the production settings, and drives these requests from `--users` threads, each with its
own partner key:
  60 % reads       cohort list, progress, trainees, count returns
  25 % submissions one count return each, each to a cohort without a pending return
  15 % bulk        one bulk enrollment of 10 new trainees

Targets, checked at the end: no 5xx at all, and every acknowledged write is a row in the database (and no row
without an acknowledgement). Prints one JSON summary line (requests/s, p50/p95/p99 in ms, statuses) and exits 1 if
a target was missed. Throttling is lifted for the run: it measures capacity, not the per-key budget.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAX_REQUESTS = 2_000_000  # a bound on the volume whatever the duration
BULK_SIZE = 10
RETURN_COHORTS = 3000  # per partner: more than the submissions of a five-minute run


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
            starts_on=dt.date.today() - dt.timedelta(days=30),
            ends_on=dt.date.today() + dt.timedelta(days=60),
        )
        # A cohort takes one pending return at a time: each submission goes to a cohort that has none yet.
        for_returns = Cohort.objects.bulk_create(
            Cohort(
                reference=f"LD-{run}-{n}-R{index:05d}",
                course=course,
                academy=academy,
                seats=100,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
            )
            for index in range(RETURN_COHORTS)
        )
        organisation = OrganisationFactory(slug=f"ld{run}-{n}", kind="training_command", command=command)
        _key, plaintext = api_key_create(organisation=organisation, name=f"load {run} {n}", actor=SYSTEM)
        partners.append({"key": plaintext, "cohort": cohort.pk, "return_cohorts": [row.pk for row in for_returns]})
    return {"partners": partners, "as_of": (dt.date.today() - dt.timedelta(days=1)).isoformat()}


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


def start_gunicorn(workers: int, log: Path) -> tuple[subprocess.Popen, str]:
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
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
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
        self.statuses: Counter = Counter()
        self.by_kind: Counter = Counter()
        self.acknowledged = {"count_returns": 0, "enrollments": 0}
        self.transport_errors = 0

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            self.by_kind[kind] += 1


def partner(url: str, data: dict, who: dict, stats: Stats, deadline: float, budget: list[int], seed_: int) -> None:
    import requests

    rng = random.Random(seed_)  # noqa: S311 (traffic mix, not security)
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {who['key']}"
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
                response = session.get(url + rng.choice(reads), timeout=60)
            elif roll < 0.85:
                kind = "count_return"
                body = {"cohort": reporting, "as_of": data["as_of"], "enrolled": 100, "completed": rng.randint(0, 90)}
                body["withdrawn"] = rng.randint(0, 100 - body["completed"])
                response = session.post(f"{url}/api/v1/count-returns/", json=body, timeout=60)
                if 200 <= response.status_code < 300:
                    reporting = next(return_cohorts, reporting)
                    with stats.lock:
                        stats.acknowledged["count_returns"] += 1
            else:
                kind = "bulk_enrollments"
                items = []
                for _ in range(BULK_SIZE):
                    serial += 1
                    items.append({"cohort": cohort, "trainee": f"UA-LD-{seed_:04d}-{serial:07d}"})
                response = session.post(f"{url}/api/v1/enrollments/bulk/", json={"items": items}, timeout=60)
                if 200 <= response.status_code < 300:
                    with stats.lock:
                        stats.acknowledged["enrollments"] += BULK_SIZE
        except requests.RequestException:
            with stats.lock:
                stats.transport_errors += 1
            continue
        stats.record(kind, response.status_code, time.perf_counter() - started)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of traffic (default 300)")
    parser.add_argument("--users", type=int, default=8, help="concurrent partner threads (default 8)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--log", default=str(ROOT / "var" / "load-gunicorn.log"))
    args = parser.parse_args(argv)

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
    process, url = start_gunicorn(args.workers, Path(args.log))
    stats = Stats()
    budget = [args.max_requests]
    try:
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
        "requests": total,
        "requests_per_s": round(total / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(stats.latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(stats.latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(stats.latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(stats.latencies) * 1000, 1) if stats.latencies else 0,
        "by_kind": dict(stats.by_kind),
        "statuses": {str(status): count for status, count in sorted(stats.statuses.items())},
        "server_errors": server_errors,
        "transport_errors": stats.transport_errors,
        "acknowledged": stats.acknowledged,
        "rows": rows,
        "cpus": os.cpu_count(),
    }
    summary["ok"] = server_errors == 0 and stats.transport_errors == 0 and rows == stats.acknowledged and total > 0
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
