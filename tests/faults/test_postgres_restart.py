"""PostgreSQL restarts during a burst of partner writes against gunicorn: no acknowledged write is lost, and every
other write fails cleanly with 503 in the API's error format, never a 500 or a traceback."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connections

from tests.faults import support
from trainees.models import Cohort, CountReturn

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 6
BURST_SECONDS = 12
COHORTS = 20_000  # more than the writes of one burst


def test_acknowledged_writes_survive_a_postgres_restart_and_the_rest_answer_503(world, tmp_path):
    support.postgres_only()
    # A cohort takes one pending return at a time: every write goes to a cohort of its own, so that a refusal
    # for a pending return never passes for a write the restart failed.
    cohort = world.objects["a"]["cohort"]
    cohorts = iter([
        row.pk
        for row in Cohort.objects.bulk_create(
            Cohort(reference=f"C-RESTART-{n:05d}", course=cohort.course, academy=cohort.academy,
                   starts_on=cohort.starts_on, ends_on=cohort.ends_on, seats=cohort.seats)
            for n in range(COHORTS)
        )
    ])  # fmt: skip
    next_cohort = threading.Lock()
    key = world.keys["command_a"]
    before = set(CountReturn.objects.values_list("pk", flat=True))
    acknowledged: list[int] = []
    failures: list[tuple[int, str]] = []
    errors: list[str] = []
    restarted = threading.Event()

    try:
        with support.gunicorn(tmp_path / "gunicorn.log", workers=3, EUMAM_API_RATE_PARTNER="100000/min") as url:

            def writer(n: int) -> None:
                session = requests.Session()
                session.headers["Authorization"] = f"Api-Key {key}"
                deadline = time.monotonic() + BURST_SECONDS
                i = 0
                while time.monotonic() < deadline:
                    i += 1
                    with next_cohort:
                        target = next(cohorts)
                    body = {"cohort": target, "as_of": "2025-04-06", "enrolled": 100, "completed": 50, "withdrawn": 1}
                    try:
                        response = session.post(f"{url}/api/v1/count-returns/", json=body, timeout=30)
                    except requests.RequestException as error:
                        errors.append(repr(error))
                        continue
                    if 200 <= response.status_code < 300:
                        acknowledged.append(response.json()["id"])
                    else:
                        failures.append((response.status_code, response.text))

            def restart() -> None:
                time.sleep(3)
                support.postgres_restart()
                restarted.set()

            with ThreadPoolExecutor(WRITERS + 1) as pool:
                futures = [pool.submit(writer, n) for n in range(WRITERS)] + [pool.submit(restart)]
                for future in futures:
                    future.result()
    finally:
        support.postgres_ensure_up()
        connections.close_all()  # the test's own connection died with the restart

    assert restarted.is_set()
    stored = set(CountReturn.objects.values_list("pk", flat=True)) - before
    assert errors == []  # gunicorn itself never dropped a connection
    assert acknowledged, "no write succeeded at all"
    assert failures, "the restart caused no failed write, so the test proved nothing"
    assert set(acknowledged) <= stored  # every 2xx write is in the database
    assert len(acknowledged) == len(set(acknowledged))
    # A write may commit while its connection dies before the answer: at most one such row per failed write.
    assert len(stored - set(acknowledged)) <= len(failures)
    assert {status for status, _body in failures} == {503}, {body for status, body in failures if status != 503}
    for _status, body in failures:
        assert "Traceback" not in body
        assert '"code": "service_unavailable"' in body or '"code":"service_unavailable"' in body
