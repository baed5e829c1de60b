"""`make bench`: the benchmark suite at 1x, 10x and 100x of the demo data, on PostgreSQL (issue 7).

    python -m bench                       # scales 1, 10 and 100
    python -m bench --scales 1,10 --quick # fewer repetitions and shorter runs
    python -m bench --rebuild             # drop and re-seed the scale databases first
    python -m bench --only "events and webhooks"   # one step of bench.measure

Each scale has its own database, `<prefix>_<N>x` on the server of BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), the prefix from BENCH_DATABASE_PREFIX (default `eumam_bench`): created,
migrated and seeded with `seed_demo --scale N` the first time and reused afterwards. Each scale is measured by `python -m bench.measure` in a process of its own. The table is
printed and written to bench/results.json as {"machine": ..., "metrics": [...]}, with a growth metric per figure:
the slope of log(value) against log(scale) from the smallest scale to the largest (0 is flat, 1 is linear).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.measure import DELTA_FLAT

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
# Two checkouts on one server keep their scale databases apart with prefixes of their own.
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "eumam_bench")
if not DATABASE_PREFIX.replace("_", "").isalnum() or not DATABASE_PREFIX.isascii():
    raise SystemExit("BENCH_DATABASE_PREFIX: letters, digits and underscores only")

# Growth goals: paginated pages and the export's memory stay flat; the report reads tallies and stays nearly flat
# (issue 19: a slope of 0.1 at most, 1.6 times from 1x to 100x).
FLAT = 0.2
PROGRESS_FLAT = 0.1
GROWTH_GOALS = {
    "progress.report": (f"<= {PROGRESS_FLAT} (nearly flat)", lambda slope: slope <= PROGRESS_FLAT),
    "progress.queries": ("0 (same count)", lambda slope: slope == 0),
    "api.cohorts_list": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "api.serialize_page_100": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "gunicorn.cohorts_list_p50": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "gunicorn.cohorts_list_p95": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "admin.cohort_changelist": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "admin.enrollment_changelist": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "export.enrollments_peak_rss": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    # Issue 14: a delta sync of 100 changes costs the same over 1x and 100x the rows.
    "delta.cohorts_100_changes": (f"<= {DELTA_FLAT} (flat)", lambda slope: slope <= DELTA_FLAT),
    "delta.enrollments_100_changes": (f"<= {DELTA_FLAT} (flat)", lambda slope: slope <= DELTA_FLAT),
    "conditional.not_modified": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
    "me.latency": (f"abs(slope) <= {FLAT} (flat)", lambda slope: abs(slope) <= FLAT),
}
# The load test (issue 19) is one short run of bench/load.py in a world of its own (the eight partners it seeds):
# it runs once whatever the scales, against its own database, `<prefix>_load`, and Redis as in production.
LOAD_STEP = "load test"
LOAD_SECONDS = 20
LOAD_REDIS_URL = os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
SKIP_GROWTH = {
    "progress.figures_match_sql", "progress.figures_match_tally_sql", "api.same_rows_as_bare", "gunicorn.failed_requests",
    "delta.cohorts_exactly_the_changes", "delta.enrollments_exactly_the_changes", "conditional.is_304_without_body",
    "admin.slowest_page",  # may be another page at each scale
    "admin.pages_over_goal",
}  # fmt: skip
SAME_COUNT = "same at every scale"


def same_at_every_scale(name: str) -> bool:
    """Issue 19: each admin page makes the same number of queries at every scale, compared at each, not only at the
    ends (a growth slope of 0 between 1x and 100x would pass a page that made more queries at 10x)."""
    return name.startswith("admin.") and name.endswith(".queries")


def database_name(scale: int) -> str:
    return f"{DATABASE_PREFIX}_{scale}x"


def database_url(scale: int) -> str:
    return f"{SERVER_URL.rstrip('/')}/{database_name(scale)}"


def _psql(sql: str) -> str:
    server = urlsplit(SERVER_URL)
    command = ["psql", "-h", server.hostname or "127.0.0.1", "-p", str(server.port or 5432)]
    command += ["-U", server.username or "postgres", "-d", "postgres", "-Atc", sql]
    env = {**os.environ, "PGPASSWORD": server.password or ""}
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603


def _manage(scale: int, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(scale), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(scale: int, rebuild: bool) -> float | None:
    """Create, migrate and seed the scale's database unless it is already seeded; return the seconds seeding took."""
    name = database_name(scale)
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608 (checked name)
    if exists and rebuild:
        _psql(f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    if exists:
        seeded = _scalar(name, "SELECT to_regclass('bench_seeded') IS NOT NULL") == "t"
        if seeded and _scalar(name, "SELECT max(scale) FROM bench_seeded") == f"{scale}":
            _manage(scale, "migrate", "--no-input", "--verbosity", "0")
            return None
        _psql(f'DROP DATABASE "{name}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{name}"')
    _manage(scale, "migrate", "--no-input", "--verbosity", "0")
    started = time.monotonic()
    _manage(scale, "seed_demo", "--scale", str(scale), "--no-progress")
    seconds = time.monotonic() - started
    _manage(scale, "setup_roles")
    # Fresh statistics, as autovacuum would give a live database, so the planner sees the real sizes.
    _scalar(name, "VACUUM ANALYZE")
    # Remember that seeding finished: an interrupted seed leaves no marker and is redone next time.
    _scalar(name, f"CREATE TABLE bench_seeded (scale integer NOT NULL); INSERT INTO bench_seeded VALUES ({scale:d})")  # noqa: S608
    return seconds


def _scalar(database: str, sql: str) -> str:
    server = urlsplit(SERVER_URL)
    command = ["psql", "-h", server.hostname or "127.0.0.1", "-p", str(server.port or 5432)]
    command += ["-U", server.username or "postgres", "-d", database, "-Atc", sql]
    env = {**os.environ, "PGPASSWORD": server.password or ""}
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603


def measure_load(quick: bool) -> list[dict]:
    """A short load test (bench/load.py) against `<prefix>_load`, created the first time; its figures as metrics."""
    from bench.load import bench_metrics

    name = f"{DATABASE_PREFIX}_load"
    if _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":  # noqa: S608 (checked name)
        _psql(f'CREATE DATABASE "{name}"')
    seconds = LOAD_SECONDS // 2 if quick else LOAD_SECONDS
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER_URL.rstrip('/')}/{name}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    command = [sys.executable, "bench/load.py", "--duration", str(seconds), "--redis-url", LOAD_REDIS_URL]
    command += ["--log", str(ROOT / "var" / "bench-load-gunicorn.log")]
    print(f"[load] {LOAD_STEP}, {seconds} s…", flush=True)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 300)  # noqa: S603
    print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "", flush=True)
    return bench_metrics(json.loads(done.stdout.strip().splitlines()[-1]))


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    postgres = _psql("SHOW server_version")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "os": platform.platform(),
        "note": "shared machine: other work may run alongside; ratios are the primary figures",
    }


def growth(metrics: list[dict]) -> list[dict]:
    by_name: dict[str, dict[int, dict]] = {}
    for entry in metrics:
        by_name.setdefault(entry["name"], {})[entry["scale"]] = entry
    out = []
    for name, scales in by_name.items():
        if name in SKIP_GROWTH or len(scales) < 2 or name.startswith("data."):
            continue
        low, high = min(scales), max(scales)
        first, last = scales[low]["value"], scales[high]["value"]
        if not first or not last or first <= 0 or last <= 0:
            continue
        slope = round(math.log(last / first) / math.log(high / low), 3)
        goal, check = GROWTH_GOALS.get(name, (None, None))
        if same_at_every_scale(name):
            counts = {entry["value"] for entry in scales.values()}
            goal, check = SAME_COUNT, lambda _slope, counts=counts: len(counts) == 1
        out.append(
            {
                "name": f"growth.{name}",
                "scale": f"{low}-{high}",
                "value": slope,
                "unit": "log-log slope",
                "ratio": round(last / first, 2),
                "goal": goal,
                "ok": check(slope) if check else None,
            }
        )
    return out


def table(metrics: list[dict]) -> str:
    lines = [f"{'metric':<40} {'scale':>7} {'value':>12} {'unit':<14} {'ratio':>7}  {'goal':<34} ok"]
    lines.append("-" * len(lines[0]))
    for entry in metrics:
        ratio = "" if entry["ratio"] is None else f"{entry['ratio']}"
        ok = {True: "yes", False: "NO", None: ""}[entry["ok"]]
        value = entry["value"]
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.3f}".rstrip("0").rstrip(".")
        lines.append(
            f"{entry['name']:<40} {entry['scale']!s:>7} {shown:>12} {entry['unit']:<14} {ratio:>7}  "
            f"{entry['goal'] or entry.get('page') or '':<34} {ok}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated scales (default 1,10,100)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter timed runs")
    parser.add_argument("--rebuild", action="store_true", help="drop and re-seed the scale databases")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON results")
    parser.add_argument(
        "--only", default="", help="comma-separated steps of bench.measure to run, e.g. 'events and webhooks'"
    )
    args = parser.parse_args(argv)
    scales = sorted({int(scale) for scale in args.scales.split(",")})

    metrics: list[dict] = []
    for scale in scales:
        print(f"[{scale}x] preparing {database_name(scale)}…", flush=True)
        seeded = prepare(scale, args.rebuild)
        if seeded is not None:
            metrics.append(
                {"name": "data.seed_time", "scale": scale, "value": round(seeded, 1), "unit": "s", "ratio": None,
                 "goal": "< 600 s at 100x" if scale >= 100 else None, "ok": seeded < 600 if scale >= 100 else None}
            )  # fmt: skip
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [sys.executable, "-m", "bench.measure", "--scale", str(scale), "--out", out.name]
            if args.quick:
                command.append("--quick")
            if args.only:
                command += ["--only", args.only]
            env = {**os.environ, "DATABASE_URL": database_url(scale)}
            subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603
            metrics += json.loads(Path(out.name).read_text())
    if not args.only or LOAD_STEP in args.only.split(","):
        metrics += measure_load(args.quick)
    metrics += growth(metrics)
    result = {"machine": machine(), "scales": scales, "quick": args.quick, "metrics": metrics}
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    print(table(metrics))
    print(f"\nWritten to {args.output}")
    missed = [entry["name"] for entry in metrics if entry["ok"] is False]
    if missed:
        print("Goals missed: " + ", ".join(sorted(set(missed))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
