"""The query-count baselines themselves: a higher count fails, a lower one asks for a refresh, and a refresh merges
what one vendor measured without losing another vendor's different count."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tests.api import query_baselines
from tests.api.query_baselines import Baselines


@pytest.fixture
def baseline_file(tmp_path, monkeypatch):
    path = tmp_path / "query_baselines.json"
    monkeypatch.setattr(query_baselines, "PATH", path)
    return path


def _write(path, entries) -> None:
    path.write_text(json.dumps({"_about": "test", **entries}), encoding="utf-8")


def test_the_measured_count_must_equal_the_baseline(baseline_file):
    _write(baseline_file, {"cohort:list": {"queries": 3, "objects": 1}})
    baselines = Baselines.load(refresh=False)

    baselines.check("cohort:list", 3, objects=1)
    with pytest.raises(AssertionError, match="a regression"):
        baselines.check("cohort:list", 4, objects=1)
    with pytest.raises(AssertionError, match="fewer than the baseline 3: run make query-baselines"):
        baselines.check("cohort:list", 2, objects=1)
    with pytest.raises(AssertionError, match="measured with 5 objects"):
        baselines.check("cohort:list", 3, objects=5)
    with pytest.raises(AssertionError, match="No query baseline for 'trainer:list'"):
        baselines.check("trainer:list", 3)


def test_a_count_stored_per_vendor_is_read_for_this_vendor(baseline_file):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _write(baseline_file, {"cohort:retrieve": {"queries": {connection.vendor: 2, other: 9}}})

    Baselines.load(refresh=False).check("cohort:retrieve", 2)


def test_a_refresh_writes_what_it_measured_and_keeps_a_differing_vendor(baseline_file):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _write(
        baseline_file,
        {
            "cohort:list": {"queries": 3, "objects": 1},
            "trainer:list": {"queries": {connection.vendor: 5, other: 6}, "objects": 2},
            "webhook:list": {"queries": 4, "objects": 1},
        },
    )
    baselines = Baselines.load(refresh=True)

    baselines.check("cohort:list", 5, objects=2)  # a refresh compares nothing
    baselines.check("trainer:list", 6, objects=2)
    baselines.write()

    written = json.loads(baseline_file.read_text(encoding="utf-8"))
    assert written["cohort:list"] == {"queries": 5, "objects": 2}
    assert written["trainer:list"] == {"queries": 6, "objects": 2}  # both vendors agree now: one count
    assert written["webhook:list"] == {"queries": 4, "objects": 1}  # not measured: kept
    assert "make query-baselines" in written["_about"]
