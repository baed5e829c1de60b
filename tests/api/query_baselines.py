"""Absolute query-count baselines of the API's lists and retrieves, kept in tests/api/query_baselines.json.

A test measures a count and calls `Baselines.check(key, count)`: more queries than the baseline fail (a regression),
fewer fail too, asking for a refresh so that the file keeps telling the truth. `make query-baselines` (pytest
`--refresh-query-baselines`) rewrites the file from the measured counts instead of comparing. Counts are the same
on SQLite and PostgreSQL; a count that is not is stored per vendor (`{"queries": {"sqlite": 7, "postgresql": 8}}`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

PATH = Path(__file__).with_name("query_baselines.json")
REFRESH_OPTION = "--refresh-query-baselines"
HOW_TO_REFRESH = f"make query-baselines (pytest {REFRESH_OPTION})"


@dataclass
class Baselines:
    """The file's entries; when refreshing, the counts measured in this session, written back at its end."""

    refresh: bool
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    measured: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, refresh: bool) -> Baselines:
        entries = json.loads(PATH.read_text(encoding="utf-8")) if PATH.exists() else {}
        entries.pop("_about", None)
        return cls(refresh=refresh, entries=entries)

    def check(self, key: str, queries: int, objects: int | None = None) -> None:
        vendor = connection.vendor
        if self.refresh:
            entry = self.measured.setdefault(key, {})
            entry.setdefault("queries", {})[vendor] = queries
            if objects is not None:
                entry["objects"] = objects
            return
        assert key in self.entries, f"No query baseline for {key!r}: run {HOW_TO_REFRESH}"
        entry = self.entries[key]
        baseline = entry["queries"]
        expected = baseline.get(vendor, baseline.get("sqlite")) if isinstance(baseline, dict) else baseline
        if objects is not None:
            assert objects == entry["objects"], (
                f"{key}: measured with {objects} objects, the baseline with {entry['objects']}: run {HOW_TO_REFRESH}"
            )
        assert queries <= expected, f"{key}: {queries} queries, the baseline is {expected} (a regression?)"
        assert queries == expected, (
            f"{key}: {queries} queries, fewer than the baseline {expected}: run {HOW_TO_REFRESH}"
        )

    def write(self) -> None:
        """Merge what this session measured into the file; one count for every vendor that agrees."""
        if not self.measured:
            return
        merged = dict(self.entries)
        for key, entry in self.measured.items():
            # A count all vendors shared is taken to be shared still; the other vendor's run says if it is not.
            old = merged.get(key, {}).get("queries")
            counts = dict(old) if isinstance(old, dict) else {}
            counts.update(entry["queries"])
            values = set(counts.values())
            merged[key] = {**entry, "queries": values.pop() if len(values) == 1 else dict(sorted(counts.items()))}
        about = {
            "_about": "Queries of each API list and retrieve for the in-scope key in tests/api/conftest.py "
            f"matrix_world (`objects`: rows the list shows). Refresh: {HOW_TO_REFRESH}."
        }
        PATH.write_text(json.dumps({**about, **dict(sorted(merged.items()))}, indent=2) + "\n", encoding="utf-8")
