"""`python -m bench.tables [RESULTS [RUN]]`: the tables of docs/performance.md, rendered from a results file.

One table of the metrics by scale, with each ratio to its limit and whether its goal is met, then one of the
growth from the smallest scale to the largest. Written from the file, so the document never carries a figure the
run did not produce.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "docs" / "bench-results.json"
MARK = {True: " ✓", False: " ✗", None: ""}


def _number(value) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value >= 1000):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


def tables(result: dict) -> str:
    scales = result["scales"]
    metrics = [entry for entry in result["metrics"] if not entry["name"].startswith("growth.")]
    # The load test runs once, in a world of its own (scale "load"): its own table, after the scales'.
    apart = [entry for entry in metrics if entry["scale"] not in scales]
    metrics = [entry for entry in metrics if entry["scale"] in scales]
    names = list(dict.fromkeys(entry["name"] for entry in metrics))
    by_key = {(entry["name"], entry["scale"]): entry for entry in metrics}
    header = "| metric | unit | goal | " + " | ".join(f"{scale}×" for scale in scales) + " |"
    lines = [header, "|" + "---|" * (3 + len(scales))]
    for name in names:
        first = next(entry for entry in metrics if entry["name"] == name)
        cells = []
        for scale in scales:
            entry = by_key.get((name, scale))
            if entry is None:
                cells.append("–")
                continue
            ratio = f" (×{entry['ratio']})" if entry["ratio"] is not None else ""
            page = f" `{entry['page']}`" if entry.get("page") else ""  # admin.slowest_page names its page
            cells.append(f"{_number(entry['value'])}{ratio}{MARK[entry['ok']]}{page}")
        # A goal that depends on the scale shows each one, with its scales.
        goals = {entry["goal"]: [] for scale in scales if (entry := by_key.get((name, scale))) and entry["goal"]}
        for scale in scales:
            if (entry := by_key.get((name, scale))) and entry["goal"]:
                goals[entry["goal"]].append(f"{scale}×")
        goal = first["goal"] or "" if len(goals) < 2 else "; ".join(f"{g} ({', '.join(s)})" for g, s in goals.items())
        lines.append(f"| `{name}` | {first['unit']} | {goal} | " + " | ".join(cells) + " |")
    if apart:
        lines += ["", "| metric | unit | goal | value |", "|---|---|---|---|"]
        for entry in apart:
            value = f"{_number(entry['value'])}{MARK[entry['ok']]}"
            lines.append(f"| `{entry['name']}` | {entry['unit']} | {entry['goal'] or ''} | {value} |")
    growth = [entry for entry in result["metrics"] if entry["name"].startswith("growth.")]
    if growth:
        span = f"{scales[0]}× → {scales[-1]}×"
        lines += ["", f"| growth {span} | slope | ×value | goal |", "|---|---|---|---|"]
        for entry in growth:
            name = entry["name"].removeprefix("growth.")
            lines.append(
                f"| `{name}` | {entry['value']}{MARK[entry['ok']]} | ×{entry['ratio']} | {entry['goal'] or ''} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else DEFAULT
    result = json.loads(path.read_text())
    # A later run of some steps is kept beside the full one, under its own key (docs/bench-results.json: issue_14).
    print(tables(result[argv[1]] if len(argv) > 1 else result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
