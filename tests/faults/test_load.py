"""The load test's short run (30 s): mixed partner traffic against gunicorn, no 5xx, acknowledged writes = rows.

`make load` runs the same script for five minutes; docs/performance.md records what it held.
"""

import json
import subprocess
import sys

import pytest

from tests.faults import support

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_thirty_seconds_of_partner_traffic_without_a_server_error_or_a_lost_write(tmp_path):
    support.postgres_only()
    result = subprocess.run(
        [sys.executable, str(support.ROOT / "bench" / "load.py"), "--duration", "30", "--users", "4", "--workers", "2"],
        cwd=support.ROOT,
        env=support.service_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )

    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["server_errors"] == 0, summary
    assert summary["transport_errors"] == 0, summary
    assert summary["rows"] == summary["acknowledged"], summary
    assert summary["acknowledged"]["count_returns"] > 0 and summary["acknowledged"]["enrollments"] > 0
    assert summary["by_kind"]["read"] > 0
    assert result.returncode == 0, result.stderr[-2000:]
