"""The goals of issue 19 are checked in code: the progress report against the tally SQL, the API list against the
bare view, one API-key check, and the report's growth."""

from bench.__main__ import GROWTH_GOALS, growth
from bench.measure import API_LIST_RATIO_GOAL, AUTH_GOAL_MS, progress_goal


def test_the_report_must_stay_within_one_and_a_half_times_the_tally_sql_at_every_scale():
    assert progress_goal(1, 1.5, 10.0, 10_000) == ("ratio <= 1.5", True)
    assert progress_goal(10, 1.51, 10.0, 100_000)[1] is False


def test_at_100x_the_report_must_also_answer_in_under_50_ms():
    goal, ok = progress_goal(100, 1.2, 49.9, 900_000)
    assert goal == "ratio <= 1.5; < 50 ms at 100x"
    assert ok is True
    assert progress_goal(100, 1.2, 50.0, 900_000)[1] is False
    assert progress_goal(100, 1.2, 40.0, 1_400_000) == (
        "ratio <= 1.5; < 50 ms at 100x; < 2000 ms at >= 1M enrollments",
        True,
    )


def test_the_report_growth_goal_is_a_slope_of_at_most_a_tenth():
    metrics = [
        {"name": "progress.report", "scale": 1, "value": 20.0},
        {"name": "progress.report", "scale": 100, "value": 31.0},
    ]
    (slope,) = growth(metrics)
    assert slope["value"] == 0.095 and slope["ok"] is True
    metrics[1]["value"] = 33.0
    assert growth(metrics)[0]["ok"] is False
    assert GROWTH_GOALS["progress.report"][0] == "<= 0.1 (nearly flat)"


def test_the_api_list_and_key_check_goals():
    assert API_LIST_RATIO_GOAL == 0.8
    assert AUTH_GOAL_MS == 0.5
