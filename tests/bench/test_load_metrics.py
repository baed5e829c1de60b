"""`make bench`'s load test step (issue 19): at least 150 requests/s with p95 under 100 ms and no 5xx, checked."""

from bench.__main__ import growth
from bench.load import bench_metrics
from bench.tables import tables


def _summary(**changes) -> dict:
    summary = {
        "requests_per_s": 163.4,
        "p50_ms": 31.0,
        "p95_ms": 88.5,
        "server_errors": 0,
        "transport_errors": 0,
        "acknowledged": {"count_returns": 400, "enrollments": 2400},
        "rows": {"count_returns": 400, "enrollments": 2400},
        "server_cpu_ms_per_request": 9.1,
        "client_cpu_ms_per_request": 0.6,
        "machine_busy": 0.97,
    }
    return {**summary, **changes}


def _by_name(metrics: list[dict]) -> dict[str, dict]:
    return {entry["name"]: entry for entry in metrics}


def test_a_run_at_the_goal_meets_every_goal():
    metrics = _by_name(bench_metrics(_summary()))
    checked = [entry for entry in metrics.values() if entry["goal"]]
    assert {entry["name"] for entry in checked} == {
        "load.requests_per_s",
        "load.p95",
        "load.server_errors",
        "load.writes_match_rows",
    }
    assert all(entry["ok"] is True for entry in checked)
    assert metrics["load.requests_per_s"]["scale"] == "load"


def test_too_few_requests_per_second_miss_the_throughput_goal_only():
    metrics = _by_name(bench_metrics(_summary(requests_per_s=149.9)))
    assert metrics["load.requests_per_s"]["ok"] is False
    assert metrics["load.p95"]["ok"] is True


def test_a_p95_of_100_ms_misses_the_latency_goal():
    assert _by_name(bench_metrics(_summary(p95_ms=100.0)))["load.p95"]["ok"] is False


def test_a_server_error_or_a_lost_write_misses_its_goal():
    assert _by_name(bench_metrics(_summary(server_errors=1)))["load.server_errors"]["ok"] is False
    lost = _summary(rows={"count_returns": 399, "enrollments": 2400})
    assert _by_name(bench_metrics(lost))["load.writes_match_rows"]["ok"] is False
    dropped = _summary(transport_errors=2)
    assert _by_name(bench_metrics(dropped))["load.writes_match_rows"]["ok"] is False


def test_the_load_test_has_no_growth_and_a_table_of_its_own():
    metrics = bench_metrics(_summary(requests_per_s=120.0))
    assert growth(metrics) == []
    rendered = tables({"scales": [1, 100], "metrics": metrics})
    assert "| `load.requests_per_s` | req/s | >= 150 (quiet machine) | 120.0 ✗ |" in rendered
    assert "| `load.p95` | ms | < 100 ms | 88.5 ✓ |" in rendered
