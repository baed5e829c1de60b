"""`make bench` names its scale databases by BENCH_DATABASE_PREFIX, so two checkouts on one server keep theirs apart."""

import os
import subprocess
import sys

from django.conf import settings


def _bench(prefix: str, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BENCH_DATABASE_PREFIX": prefix}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )


def test_the_prefix_names_every_scale_database():
    done = _bench("eumam_perf_bench", "from bench.__main__ import database_url; print(database_url(100))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("/eumam_perf_bench_100x")


def test_a_prefix_that_is_not_a_plain_name_is_refused_before_any_database_is_touched():
    done = _bench('x"; DROP DATABASE postgres; --', "import bench.__main__")
    assert done.returncode != 0 and "letters, digits and underscores only" in done.stderr
