"""The local cluster drill (issue 19): `make drill`. A few minutes, loopback only, every process stopped by its pid.

It builds a small production-shaped cluster in a temporary folder (bench/cluster.py): PostgreSQL primary plus a
streaming replica made with pg_basebackup, PgBouncer in transaction mode in front of each, Redis, two gunicorn web
nodes behind HAProxy (health checks on /health/), two Celery workers and one beat. The application reaches
PostgreSQL through libpq multi-host failover: `host=pgbouncer-primary,pgbouncer-replica
target_session_attrs=read-write`. Under mixed partner traffic (bench/traffic.py) it then:

  0. takes a pg_dump while the traffic runs;
  1. kills one web node (SIGKILL): HAProxy's health check drains it; it comes back;
  2. kills one worker mid-report (SIGKILL, inside the send); Redis redelivers; a new worker takes over;
  3. starts a second beat by mistake, for a while;
  4. stops Redis for 30 s;
  5. stops the primary and promotes the replica: measured recovery time and data-loss window;
  6. restores the dump into a new database on the promoted server and serves the application from it.

It ends with one outcome line, `DRILL PASS: …` (exit 0) or `DRILL FAIL: …` (exit 1), and with `--write-docs` puts
the measured figures into docs/deployment.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import traffic  # noqa: E402
from bench.cluster import DATABASE, PG_BIN, Cluster, DrillError, wait_for  # noqa: E402

PARTNERS = 4
RETURN_COHORTS = 300  # per partner: one count return each, more than a drill submits
REDIS_OUTAGE = 30.0
STARTED = time.monotonic()
DOCS = ROOT / "docs" / "deployment.md"
DOCS_BEGIN, DOCS_END = "<!-- drill:begin -->", "<!-- drill:end -->"


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


# THE APPLICATION'S SIDE (Django in this process, connected straight to the clusters through libpq multi-host)


def django_setup(cluster: Cluster) -> None:
    hosts = f"127.0.0.1:{cluster.ports['primary']},127.0.0.1:{cluster.ports['replica']}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://postgres@{hosts}/{DATABASE}?target_session_attrs=read-write&connect_timeout=3",
        REDIS_URL=f"redis://127.0.0.1:{cluster.ports['redis']}/0",
        CELERY_TASK_ALWAYS_EAGER="false",
        EUMAM_VAR_DIR=str(cluster.folder / "var"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


def seed() -> dict:
    from django.core.management import call_command
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from bench import load

    call_command("migrate", verbosity=0, interactive=False)
    # Fewer cohorts than the five-minute load test needs (3000 per partner): the reports render over all of them.
    load.RETURN_COHORTS = RETURN_COHORTS
    seeded = load.seed("drill", PARTNERS)
    # The beat's report sweep every 5 s instead of every quarter hour, so that the drill sees several ticks.
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="drill: enqueue due reports", task="mission.tasks.enqueue_due_reports", interval=every
    )
    return seeded


def subscribe(count: int, label: str) -> list[int]:
    """`count` subscriptions whose current period is due now, whatever the hour (daily from 07:00 Brussels)."""
    from config import clock
    from mission.models import ReportSubscription
    from mission.schedules import due_period
    from tests.factories import ReportSubscriptionFactory

    now = clock.now()
    shapes = [{"frequency": "daily", "weekday": None, "day_of_month": None}]
    shapes += [{"frequency": "weekly", "weekday": day, "day_of_month": None} for day in range(7)]
    shapes += [{"frequency": "monthly", "weekday": None, "day_of_month": day} for day in range(1, 29)]
    for shape in shapes:
        if due_period(ReportSubscription(**shape), now) is not None:
            break
    else:
        return []  # a Monday the 1st before 07:00 Brussels: nothing can be due
    return [ReportSubscriptionFactory(name=f"drill {label} {n}", **shape).pk for n in range(count)]


def dispatch_states(subscriptions: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from mission.models import ReportDispatch

    rows = ReportDispatch.objects.filter(subscription_id__in=subscriptions).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def all_sent(subscriptions: list[int]) -> bool:
    return dispatch_states(subscriptions).get("sent", 0) == len(subscriptions)


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


def mails_per_dispatch(folder: Path) -> dict[int, int]:
    """Messages written by the workers, by dispatch (the Message-ID names it)."""
    counts: dict[int, int] = {}
    for path in folder.glob("*"):
        for match in re.finditer(rb"^Message-ID: <dispatch-(\d+)-", path.read_bytes(), re.MULTILINE | re.IGNORECASE):
            counts[int(match.group(1))] = counts.get(int(match.group(1)), 0) + 1
    return counts


# PHASES


def phase_kill_web_node(cluster: Cluster, results: dict) -> None:
    say("phase 1: kill web-1 (SIGKILL to its gunicorn group)")
    cluster.kill("web-1")
    killed = time.monotonic()
    drained = wait_for(
        lambda: cluster.backend_status().get("web-1", "").startswith("DOWN"), timeout=20, what="HAProxy to drain web-1"
    )
    results["drain_s"] = drained
    say(f"  HAProxy marked web-1 DOWN after {drained:.1f} s; traffic goes to web-2")
    time.sleep(5)
    cluster.processes.pop("web-1").wait(timeout=10)
    cluster.web("web-1")  # back in rotation once its health check passes twice; checked before the failover
    results["web_killed_at"] = killed


def web_node_rejoined(cluster: Cluster, results: dict) -> None:
    wait_for(lambda: cluster.backend_status().get("web-1") == "UP", timeout=90, what="web-1 back in rotation")
    say(
        f"  web-1 was restarted and is back in rotation ({time.monotonic() - results['web_killed_at']:.0f} s after the kill)"
    )


def _worker_inside_send(cluster: Cluster, name: str) -> bool:
    log = cluster.log(name)
    received = re.findall(r"Task mission\.tasks\.send_subscription_report\[([0-9a-f-]+)\] received", log)
    return any(f"[{task}] succeeded" not in log and f"[{task}] retry" not in log for task in received)


def phase_kill_worker(cluster: Cluster, subscriptions: list[int], results: dict) -> None:
    from django.db.models import F

    from mission.models import ReportDispatch
    from mission.services import SENDING_LEASE

    say(f"phase 2: {len(subscriptions)} reports due; kill worker-1 inside a send")
    wait_for(lambda: _worker_inside_send(cluster, "worker-1"), timeout=60, what="worker-1 to start sending a report")
    time.sleep(1)
    cluster.kill("worker-1")
    cluster.processes.pop("worker-1").wait(timeout=10)
    say("  worker-1 killed mid-report; starting worker-3 in its place")
    cluster.worker("worker-3", email_delay=0.2)
    wait_for(
        lambda: dispatch_states(subscriptions).get("sent", 0) == len(subscriptions) - 1,
        timeout=90,
        what="the other reports",
    )
    stuck = ReportDispatch.objects.filter(subscription_id__in=subscriptions, state="sending")
    results["stuck_after_kill"] = stuck.count()
    # The dead worker's claim holds for SENDING_LEASE (15 min, longer than a task may run). The drill ages it instead
    # of waiting, as tests/faults does; the beat's next sweep then re-enqueues it and Redis's redelivery is a no-op.
    stuck.update(updated_at=F("updated_at") - SENDING_LEASE)
    wait_for(lambda: all_sent(subscriptions), timeout=60, what="the killed worker's report after its lease")
    say(f"  all {len(subscriptions)} reports sent; the killed one was re-sent after its lease ran out")


def phase_second_beat(cluster: Cluster, subscriptions: list[int]) -> None:
    from mission.models import ReportDispatch
    from mission.tasks import send_subscription_report

    say(f"phase 3: a second beat started by mistake; {len(subscriptions)} more reports due, and stray duplicates")
    cluster.beat("beat-2")

    def ticks() -> int:
        return cluster.log("beat-2").count("Scheduler: Sending due task drill: enqueue due reports")

    wait_for(lambda: ticks() >= 1, timeout=60, what="the second beat's first tick")
    wait_for(lambda: all_sent(subscriptions), timeout=90, what="the reports under two beats")
    # A stray duplicate message per report, as a redelivery or a manual run would make: the same subscription and
    # period, already sent.
    for subscription_id, period_key in ReportDispatch.objects.filter(subscription_id__in=subscriptions).values_list(
        "subscription_id", "period_key"
    ):
        send_subscription_report.delay(subscription_id, period_key)
    wait_for(lambda: ticks() >= 3, timeout=30, what="more ticks of the second beat")
    cluster.stop("beat-2")
    say(f"  beat-2 sent {ticks()} tick(s) alongside beat-1 before it was stopped")


def phase_redis_outage(
    cluster: Cluster, subscriptions: list[int], ack: traffic.Acknowledged, results: dict, *, count: int
) -> None:
    say(f"phase 4: stop Redis for {REDIS_OUTAGE:.0f} s ({count} reports fall due meanwhile)")
    cluster.stop("redis")
    stopped = time.monotonic()
    subscriptions.extend(subscribe(count, "outage"))
    time.sleep(max(0.0, REDIS_OUTAGE - (time.monotonic() - stopped)))
    cluster.redis()
    back = time.monotonic()
    wait_for(lambda: ack.first_after(back) is not None, timeout=60, what="a write acknowledged after Redis returned")
    results["redis_recovery_s"] = ack.first_after(back) - back
    wait_for(lambda: all_sent(subscriptions), timeout=90, what="the reports due during the Redis outage")
    say(f"  Redis back; first acknowledged write after {results['redis_recovery_s']:.1f} s; reports sent once")


def phase_failover(cluster: Cluster, ack: traffic.Acknowledged, results: dict) -> None:
    replica = cluster.ports["replica"]
    say("phase 5: stop the primary (fast shutdown), promote the replica")
    close_connections()
    time.sleep(2)
    stopped = time.monotonic()
    last_ack_before = max([t for t in (*ack.count_returns.values(), *ack.enrollments.values()) if t <= stopped])
    cluster.stop("postgres-primary", sig=signal.SIGINT, timeout=60)
    primary_end = _controldata_lsn(cluster, "primary")
    received = cluster.sql(replica, "SELECT pg_last_wal_replay_lsn()")
    cluster.pg("pg_ctl", "promote", "-w", "-D", str(cluster.folder / "replica"))
    promoted = time.monotonic()
    # The first PgBouncer still accepts logins (it answers from its cached server parameters) and fails each query,
    # so libpq cannot tell it from a working primary: it is pointed at the new primary and reloaded, as a failover
    # manager would do. The multi-host conninfo covers the other failure, a PgBouncer that is itself gone.
    cluster.pgbouncer_retarget("pgbouncer-primary", replica)
    wait_for(lambda: ack.first_after(stopped) is not None, timeout=90, what="a write acknowledged by the new primary")
    first_ack = ack.first_after(stopped)
    results.update(
        recovery_s=first_ack - stopped,
        promote_s=promoted - stopped,
        unavailable_s=first_ack - last_ack_before,
        primary_end_lsn=primary_end,
        replica_lsn=received,
        # The shutdown checkpoint record starts at primary_end; a replica that replayed it is past it (0 behind).
        wal_behind_bytes=max(0, int(cluster.sql(replica, f"SELECT pg_wal_lsn_diff('{primary_end}', '{received}')"))),
        stopped_at=stopped,
    )
    say(
        f"  promoted after {results['promote_s']:.1f} s; first acknowledged write {results['recovery_s']:.1f} s "
        f"after the stop; replica was {results['wal_behind_bytes']} bytes of WAL behind at the stop"
    )
    time.sleep(10)  # traffic on the promoted server


def _controldata_lsn(cluster: Cluster, name: str) -> str:
    out = cluster.pg("pg_controldata", str(cluster.folder / name))
    return re.search(r"Latest checkpoint location:\s+(\S+)", out).group(1)


def phase_restore(cluster: Cluster, dump: Path, seeded: dict, results: dict) -> None:
    say("phase 6: restore the dump into a new database on the promoted server; serve from it")
    replica = cluster.ports["replica"]
    cluster.sql(replica, "CREATE DATABASE eumam_restored")
    subprocess.run(  # noqa: S603
        [
            str(PG_BIN / "pg_restore"),
            "--no-owner",
            "-h",
            "127.0.0.1",
            "-p",
            str(replica),
            "-U",
            "postgres",
            "-d",
            "eumam_restored",
            str(dump),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    url = cluster.database_url("eumam_restored")
    results["restored_tallies"] = tallies_check(cluster, url)
    port = cluster.web("web-restored", database_url=url)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _status(f"{base}/health/") == 200, timeout=60, what="gunicorn on the restored copy")
    headers = {"Authorization": f"Api-Key {seeded['partners'][0]['key']}"}
    listing = requests.get(f"{base}/api/v1/cohorts/", headers=headers, timeout=30)
    results["restored_serves"] = listing.status_code == 200 and listing.json().get("count", 0) > 0
    cluster.stop("web-restored")
    say(f"  restored copy: tallies {results['restored_tallies']}; /health/ 200, cohort list {listing.status_code}")


def _status(url: str) -> int:
    try:
        return requests.get(url, headers={"Accept": "application/json"}, timeout=5).status_code
    except requests.RequestException:
        return 0


def tallies_check(cluster: Cluster, database_url: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "rebuild_tallies", "--check"],
        cwd=ROOT,
        env=cluster.app_env(production=False, database_url=database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return "clean" if result.returncode == 0 else f"DRIFT ({(result.stdout + result.stderr).strip()[-300:]})"


# THE OUTCOME


def count_lost(ack: traffic.Acknowledged) -> dict:
    """Acknowledged writes against the rows of the promoted server."""
    from trainees.models import CountReturn, Enrollment

    close_connections()
    returns = set(
        CountReturn.objects.filter(cohort__reference__startswith="LD-drill-").values_list("cohort_id", flat=True)
    )
    enrolled = set(
        Enrollment.objects.filter(cohort__reference__startswith="LD-drill-").values_list(
            "trainee__reference", flat=True
        )
    )
    acknowledged = set(ack.count_returns), set(ack.enrollments)
    lost_returns, lost_enrollments = acknowledged[0] - returns, acknowledged[1] - enrolled
    return {
        "acknowledged": ack.total(),
        "rows": len(returns) + len(enrolled),
        "lost": len(lost_returns) + len(lost_enrollments),
        "unacknowledged_rows": len(returns - acknowledged[0]) + len(enrolled - acknowledged[1]),
        "lost_returns": lost_returns,
        "lost_enrollments": lost_enrollments,
    }


def check_mail(cluster: Cluster, subscriptions: list[int]) -> dict:
    from mission.models import ReportDispatch

    dispatches = dict(
        ReportDispatch.objects.filter(subscription_id__in=subscriptions).values_list("pk", "subscription_id")
    )
    sent = mails_per_dispatch(cluster.folder / "mail")
    per_subscription: dict[int, int] = dict.fromkeys(subscriptions, 0)
    for dispatch, count in sent.items():
        if dispatch in dispatches:
            per_subscription[dispatches[dispatch]] += count
    exactly_once = all(count == 1 for count in per_subscription.values()) and len(dispatches) == len(subscriptions)
    if not exactly_once:
        say(f"  mails per subscription {per_subscription}; {len(dispatches)} dispatches for {len(subscriptions)}")
    return {"mails": sum(per_subscription.values()), "expected": len(subscriptions), "exactly_once": exactly_once}


def write_docs(results: dict, outcome: str) -> None:
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")  # the date of the run, for the record
    machine = f"{platform.node() or 'this machine'} ({os.cpu_count()} cores, {platform.system()} {platform.release()})"
    block = (
        f"{DOCS_BEGIN}\n"
        f"Last `make drill` run: {today}, on {machine}, PostgreSQL 15, PgBouncer in transaction mode, "
        "HAProxy, asynchronous streaming replication.\n\n"
        "| measured | value |\n|---|---|\n"
        f"| failover recovery time (primary stopped → first acknowledged write on the promoted replica) | "
        f"{results['recovery_s']:.1f} s |\n"
        f"| of which: promotion (`pg_ctl promote -w`) | {results['promote_s']:.1f} s after the stop |\n"
        f"| partners' write gap (last acknowledged write before → first after) | {results['unavailable_s']:.1f} s |\n"
        f"| data-loss window: acknowledged writes missing after promotion | {results['lost']} |\n"
        f"| WAL the replica lacked when the primary stopped | {results['wal_behind_bytes']} bytes |\n"
        f"| web node killed → drained by the balancer | {results['drain_s']:.1f} s |\n"
        f"| Redis back after {REDIS_OUTAGE:.0f} s → first acknowledged write | {results['redis_recovery_s']:.1f} s |\n"
        f"| the whole drill, setup (initdb, migrate, seed) included | {time.monotonic() - STARTED:.0f} s |\n\n"
        f"Outcome: `{outcome}`\n"
        f"{DOCS_END}"
    )
    text = DOCS.read_text()
    pattern = re.compile(re.escape(DOCS_BEGIN) + ".*?" + re.escape(DOCS_END), re.DOTALL)
    DOCS.write_text(pattern.sub(lambda _match: block, text))
    say(f"figures written to {DOCS.relative_to(ROOT)}")


def run(cluster: Cluster, args: argparse.Namespace) -> tuple[bool, str, dict]:
    results: dict = {}
    say(f"cluster folder {cluster.folder}")
    cluster.postgres_primary()
    cluster.postgres_replica()
    say(f"PostgreSQL primary on {cluster.ports['primary']}, streaming replica on {cluster.ports['replica']}")
    cluster.pgbouncer("pgbouncer-primary", cluster.ports["primary"])
    cluster.pgbouncer("pgbouncer-replica", cluster.ports["replica"])
    cluster.redis()
    cluster.sql(cluster.ports["primary"], f"CREATE DATABASE {DATABASE}")
    django_setup(cluster)
    seeded = seed()
    close_connections()
    say("migrated and seeded; starting web-1, web-2, HAProxy, worker-1, worker-2, beat-1")
    cluster.web("web-1")
    cluster.web("web-2")
    lb = cluster.haproxy(["web-1", "web-2"])
    wait_for(lambda: set(cluster.backend_status().values()) == {"UP"}, timeout=90, what="both web nodes UP")
    cluster.worker("worker-1", email_delay=3)  # slow sends: the kill lands inside one
    cluster.worker("worker-2", email_delay=0.2)
    cluster.beat("beat-1")

    ack = traffic.Acknowledged()
    stop = threading.Event()
    threads = traffic.start(f"http://127.0.0.1:{lb}", seeded, stop, ack)
    say(f"traffic: {PARTNERS} partners through HAProxy on {lb}")
    try:
        time.sleep(8)
        dump = cluster.folder / "eumam.dump"
        say("phase 0: pg_dump of the primary while the traffic runs")
        dumping = subprocess.Popen(  # noqa: S603
            [
                *(str(PG_BIN / "pg_dump"), "-Fc", "--no-owner", "-h", "127.0.0.1", "-p", str(cluster.ports["primary"])),
                *("-U", "postgres", "-f", str(dump), DATABASE),
            ]
        )
        phase_kill_web_node(cluster, results)
        if dumping.wait(timeout=120):
            raise DrillError("pg_dump failed")
        say(f"  pg_dump done ({dump.stat().st_size // 1024} KiB) while the traffic ran")
        first = subscribe(3, "first")
        if not first:
            raise DrillError("no report period can be due at this hour (a Monday the 1st before 07:00 Brussels)")
        phase_kill_worker(cluster, first, results)
        second = subscribe(2, "second")
        phase_second_beat(cluster, second)
        third: list[int] = []
        phase_redis_outage(cluster, third, ack, results, count=2)
        subscriptions = first + second + third
        web_node_rejoined(cluster, results)
        phase_failover(cluster, ack, results)
    except BaseException:
        ack.abort.set()
        raise
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=traffic.WRITE_PATIENCE + 10)
    say(f"traffic stopped: {ack.requests} responses {dict(sorted(ack.statuses.items()))}")

    lost = count_lost(ack)
    results.update(lost)
    mail = check_mail(cluster, subscriptions)
    results["tallies"] = tallies_check(cluster, cluster.database_url())
    phase_restore(cluster, dump, seeded, results)
    ok = (
        lost["lost"] == 0
        and lost["acknowledged"] == lost["rows"]
        and mail["exactly_once"]
        and results["tallies"] == "clean"
        and results["restored_tallies"] == "clean"
        and results["restored_serves"]
        and ack.total() > 0
    )
    loss = results["lost"]
    outcome = (
        f"acknowledged={lost['acknowledged']} rows={lost['rows']} lost={loss} · "
        f"mails={mail['mails']}/{mail['expected']} {'exactly once' if mail['exactly_once'] else 'NOT exactly once'} · "
        f"tallies {results['tallies']} · restored copy: tallies {results['restored_tallies']}, "
        f"{'serves' if results['restored_serves'] else 'does NOT serve'} · "
        f"failover recovery {results['recovery_s']:.1f} s, data-loss window {loss} acknowledged writes "
        f"(async replication, clean stop: the primary sends all its WAL before it exits; a crash could lose what "
        f"the replica had not received, synchronous_commit=remote_apply would lose none)"
    )
    if lost["unacknowledged_rows"]:
        outcome += f" · {lost['unacknowledged_rows']} rows never acknowledged"
    if ack.abandoned:
        outcome += f" · {len(ack.abandoned)} writes abandoned"
    return ok, outcome, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=900, help="hard overall limit in seconds (default 900)")
    parser.add_argument("--write-docs", action="store_true", help="put the measured figures into docs/deployment.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) after the run")
    args = parser.parse_args(argv)

    def _timeout(_signum, _frame):
        raise DrillError(f"the drill ran past its {args.timeout} s limit")

    def _stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGALRM, _timeout)
    signal.signal(signal.SIGTERM, _stop)
    signal.alarm(args.timeout)
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="eumam-drill-")))
    ok, outcome = False, "interrupted"
    try:
        ok, outcome, results = run(cluster, args)
        if args.write_docs:
            write_docs(results, f"DRILL {'PASS' if ok else 'FAIL'}: {outcome}")
    except (DrillError, KeyboardInterrupt, subprocess.SubprocessError, OSError) as error:
        outcome = f"{type(error).__name__}: {error}"
    finally:
        signal.alarm(0)
        say("stopping every process the drill started, by pid")
        cluster.stop_all()
        if args.keep or not ok:
            say(f"logs kept in {cluster.folder / 'logs'}")
            for name in ("primary", "replica"):
                subprocess.run(["rm", "-rf", str(cluster.folder / name)], check=False)  # noqa: S603, S607
        else:
            cluster.remove()
    print(f"DRILL {'PASS' if ok else 'FAIL'}: {outcome}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
