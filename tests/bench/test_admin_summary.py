"""`make bench`: issue 15's median admin page, against 300 ms at demo scale and 500 ms from 100x on."""

from bench.measure import admin_summary
from bench.tables import tables


def _by_name(metrics: list[dict]) -> dict[str, dict]:
    return {entry["name"]: entry for entry in metrics}


def test_the_median_page_is_the_median_of_the_per_page_medians():
    summary = _by_name(admin_summary(1, {"index": 100.0, "catc.index": 250.0, "planning": 900.0}))
    assert summary["admin.median_page"]["value"] == 250.0


def test_the_median_page_goal_is_300_ms_at_demo_scale_and_500_ms_from_100x():
    pages = {"index": 350.0, "planning": 420.0}  # median 385 ms
    at_1x = _by_name(admin_summary(1, pages))["admin.median_page"]
    at_10x = _by_name(admin_summary(10, pages))["admin.median_page"]
    at_100x = _by_name(admin_summary(100, pages))["admin.median_page"]
    assert (at_1x["goal"], at_1x["ok"]) == ("< 300 ms", False)
    assert (at_10x["goal"], at_10x["ok"]) == ("< 300 ms", False)
    assert (at_100x["goal"], at_100x["ok"]) == ("< 500 ms", True)


def test_the_slowest_page_is_named_and_carries_no_goal():
    slowest = _by_name(admin_summary(100, {"index": 90.0, "hq.planning_what_if": 640.25}))["admin.slowest_page"]
    assert (slowest["value"], slowest["page"]) == (640.2, "hq.planning_what_if")
    assert slowest["goal"] is None and slowest["ok"] is None


def test_the_results_table_names_the_slowest_page_at_each_scale():
    metrics = admin_summary(1, {"index": 90.0, "cohort_change": 120.0}) + admin_summary(100, {"index": 400.0})
    rendered = tables({"scales": [1, 100], "metrics": metrics})
    assert "| `admin.slowest_page` | ms |  | 120.0 `cohort_change` | 400.0 `index` |" in rendered


def test_the_results_table_shows_the_median_goal_of_each_scale():
    metrics = admin_summary(1, {"index": 90.0}) + admin_summary(100, {"index": 400.0})
    rendered = tables({"scales": [1, 100], "metrics": metrics})
    assert "| `admin.median_page` | ms | < 300 ms (1×); < 500 ms (100×) | 90.0 ✓ | 400.0 ✓ |" in rendered
