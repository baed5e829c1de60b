"""Measure one scale: `python -m bench.measure --scale N --out FILE`, against the database of DATABASE_URL.

`bench/__main__.py` runs this once per scale, in a process of its own, after seeding the scale's database.
Every measured path runs inside this process through the real WSGI application (middleware, key
authentication, scoping, serializers, renderer), except the latency run against gunicorn and the export,
which run in processes of their own so their resources can be measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BULK_ITEMS = 5_000
PAGE_SIZE = 100
LIST_PATH = "/api/v1/cohorts/"
BARE_PATH = "/bench/bare-cohorts/"
FLOOR_PATH = "/bench/authenticated-floor/"
BENCH_REFERENCE = "BENCH-"


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # The benchmark measures capacity, not the per-key budget.
    os.environ["EUMAM_API_RATE_PARTNER"] = "100000000/min"
    os.environ["EUMAM_API_RATE_COORDINATOR"] = "100000000/min"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def metric(name, scale, value, unit, *, ratio=None, goal=None, ok=None) -> dict:
    return {"name": name, "scale": scale, "value": value, "unit": unit, "ratio": ratio, "goal": goal, "ok": ok}


def _median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# CALLERS


def _key(slug: str) -> str:
    """A fresh key of one organisation for this run; the plaintext is only ever in memory."""
    from academies.models import Organisation
    from academies.scope import SYSTEM
    from academies.services import api_key_create

    organisation = Organisation.objects.get(slug=slug)
    _api_key, plaintext = api_key_create(organisation=organisation, name=f"bench {time.time():.0f}", actor=SYSTEM)
    return plaintext


def _wsgi_get(application, path: str, query: str = "", headers: dict | None = None) -> tuple[int, bytes]:
    return _wsgi(application, "GET", path, query, headers or {}, b"")


def _wsgi(application, method: str, path: str, query: str, headers: dict, body: bytes) -> tuple[int, bytes]:
    status, content, _headers = _wsgi_full(application, method, path, query, headers, body)
    return status, content


def _wsgi_full(
    application, method: str, path: str, query: str, headers: dict, body: bytes
) -> tuple[int, bytes, dict[str, str]]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status = []
    response_headers: dict[str, str] = {}

    def start_response(line, headers, _exc_info=None):
        status.append(int(line.split(" ", 1)[0]))
        response_headers.update(headers)

    result = application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], content, response_headers


# 1. PROGRESS REPORT


PROGRESS_RATIO_GOAL = 1.5
PROGRESS_GOAL_MS_AT_100X = 50


def progress_goal(scale: int, ratio: float, orm_ms: float, enrollments: int) -> tuple[str, bool]:
    """The goal of `progress.report` at a scale (issue 19): within 1.5 times the hand-written SQL over the same
    tallies, and under 50 ms at 100x (and under 2 s at a million enrollments, issue 7)."""
    goal, ok = f"ratio <= {PROGRESS_RATIO_GOAL}", ratio <= PROGRESS_RATIO_GOAL
    if scale >= 100:
        goal += f"; < {PROGRESS_GOAL_MS_AT_100X} ms at 100x"
        ok = ok and orm_ms < PROGRESS_GOAL_MS_AT_100X
    if enrollments >= 1_000_000:
        goal += "; < 2000 ms at >= 1M enrollments"
        ok = ok and orm_ms < 2000
    return goal, ok


def _report_differences(label: str, mine: dict, theirs: dict) -> None:
    for key in mine:
        if mine[key] != theirs[key]:
            print(
                f"  progress figures differ from {label} in {key}: {str(mine[key])[:200]} != {str(theirs[key])[:200]}"
            )


def measure_progress(scale: int, repeat: int) -> list[dict]:
    """The report of today (mission scope, breakdowns, a 7-day period) against two limits written by hand: SQL over
    the same tallies the product reads (`bench/progress_tally_sql.py`, the goal's reference) and SQL over the rows
    themselves (`bench/progress_sql.py`, a second reference), alternated so that contention falls on all alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.progress_sql import figures, raw_progress
    from bench.progress_tally_sql import tally_progress
    from mission.selectors import STAFFING_HORIZON_WEEKS, progress

    as_of = timezone.localdate()
    period_start = as_of - dt.timedelta(days=7)
    horizon = as_of + dt.timedelta(weeks=STAFFING_HORIZON_WEEKS)

    def orm():
        return progress(as_of=as_of, period_start=period_start)

    def tally_sql():
        return tally_progress(as_of, period_start, horizon)

    def rows_sql():
        return raw_progress(as_of, period_start, horizon)

    with CaptureQueriesContext(connection) as captured:
        computed = orm()
    queries = len(captured.captured_queries)
    mine = figures(computed)
    from_tallies, from_rows = tally_sql(), rows_sql()
    match_tallies, match_rows = mine == from_tallies, mine == from_rows
    if not match_tallies:
        _report_differences("the tally SQL", mine, from_tallies)
    if not match_rows:
        _report_differences("the rows SQL", mine, from_rows)
    orm_times, tally_times, rows_times = [], [], []
    for _ in range(repeat * 3):  # tens of milliseconds each: more runs, so that a busy moment does not decide
        orm_times.append(_median_ms(orm, 1))
        tally_times.append(_median_ms(tally_sql, 1))
        rows_times.append(_median_ms(rows_sql, 1))
    orm_ms, tally_ms = statistics.median(orm_times), statistics.median(tally_times)
    rows_ms = statistics.median(rows_times)
    ratio = round(orm_ms / tally_ms, 2)
    enrollments = _count("trainees_enrollment")
    goal, ok = progress_goal(scale, ratio, orm_ms, enrollments)
    return [
        metric("progress.report", scale, round(orm_ms, 1), "ms", ratio=ratio, goal=goal, ok=ok),
        metric("progress.tally_sql", scale, round(tally_ms, 1), "ms"),
        metric("progress.raw_sql", scale, round(rows_ms, 1), "ms", ratio=round(orm_ms / rows_ms, 2)),
        metric("progress.queries", scale, queries, "queries", goal="same at every scale", ok=None),
        metric("progress.figures_match_tally_sql", scale, int(match_tallies), "bool", goal="1", ok=match_tallies),
        metric("progress.figures_match_sql", scale, int(match_rows), "bool", goal="1", ok=match_rows),
        metric("data.enrollments", scale, enrollments, "rows"),
        metric("data.cohorts", scale, _count("trainees_cohort"), "rows"),
        metric("data.count_returns", scale, _count("trainees_countreturn"), "rows"),
    ]


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (our own table names)
        return cursor.fetchone()[0]


# 2. API LIST

# Issue 19: the API list answers at least 0.8 times as many requests as the bare view, which counts the same way.
API_LIST_RATIO_GOAL = 0.8


def measure_api_list(scale: int, seconds: float) -> list[dict]:
    import orjson
    from django.core.wsgi import get_wsgi_application

    from academies.models import Organisation
    from bench import urls as bench_urls
    from config.api.renderers import JSONRenderer
    from trainees.api.serializers import CohortSerializer
    from trainees.models import Cohort

    application = get_wsgi_application()
    organisation = Organisation.objects.get(slug="catc")
    bench_urls.BARE_ORGANISATION["organisation"] = organisation
    headers = {"Authorization": f"Api-Key {_key('catc')}"}
    query = f"page_size={PAGE_SIZE}"

    status, body = _wsgi_get(application, LIST_PATH, query, headers)
    assert status == 200, (status, body[:300])
    api_page = orjson.loads(body)
    status, body = _wsgi_get(application, BARE_PATH, query)
    assert status == 200, (status, body[:300])
    bare_page = orjson.loads(body)
    same_rows = [row["id"] for row in api_page["results"]] == [row["id"] for row in bare_page["results"]]
    same_rows = same_rows and api_page["count"] == bare_page["count"] and len(api_page["results"]) == PAGE_SIZE

    # Alternate short rounds of each, so that contention from other work falls on both alike.
    counts, spent = {"api": 0, "bare": 0}, {"api": 0.0, "bare": 0.0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for kind, path, extra in (("api", LIST_PATH, headers), ("bare", BARE_PATH, {})):
            started = time.perf_counter()
            for _ in range(10):
                _wsgi_get(application, path, query, extra)
            spent[kind] += time.perf_counter() - started
            counts[kind] += 10
    api_rps, bare_rps = counts["api"] / spent["api"], counts["bare"] / spent["bare"]
    ratio = round(api_rps / bare_rps, 2)

    # Serializer and renderer alone, on a page already fetched: the cost the API adds per page of 100.
    page = list(
        Cohort.objects.visible_to(organisation).select_related("course", "academy").order_by("-starts_on")[:100]
    )

    def serialize():
        JSONRenderer().render(CohortSerializer(page, many=True).data)

    serialize()
    serialize_ms = _median_ms(serialize, 200)  # a millisecond each: many runs, so that a busy moment does not decide
    return [
        metric(
            "api.cohorts_list",
            scale,
            round(api_rps, 1),
            "req/s",
            ratio=ratio,
            goal=f"ratio >= {API_LIST_RATIO_GOAL}",
            ok=ratio >= API_LIST_RATIO_GOAL,
        ),
        metric("api.bare_values_orjson", scale, round(bare_rps, 1), "req/s"),
        metric("api.cohorts_list_latency", scale, round(1000 / api_rps, 1), "ms"),
        metric("api.same_rows_as_bare", scale, int(same_rows), "bool", goal="1", ok=same_rows),
        metric("api.serialize_page_100", scale, round(serialize_ms, 1), "ms", goal="< 50 ms", ok=serialize_ms < 50),
    ]


def measure_gunicorn(scale: int, seconds: float, clients: int = 8, workers: int = 2) -> list[dict]:
    import requests
    from django.db import connection

    from bench.load import percentile, start_gunicorn

    key = _key("catc")
    connection.close()
    log = ROOT / "var" / "bench-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    process, url = start_gunicorn(workers, log)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client(deadline: float) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Api-Key {key}"
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = session.get(f"{url}{LIST_PATH}?page_size={PAGE_SIZE}", timeout=30)
                good = response.status_code == 200
            except requests.RequestException:
                good = False
            with lock:
                if good:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures[0] += 1

    try:
        # Warm both workers up before the clock starts.
        for _ in range(4):
            requests.get(
                f"{url}{LIST_PATH}?page_size={PAGE_SIZE}", headers={"Authorization": f"Api-Key {key}"}, timeout=30
            )
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(started + seconds,), daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
    label = f"{clients} clients, gunicorn {workers} workers"
    return [
        metric("gunicorn.cohorts_list_p50", scale, round(p50, 1), "ms", goal=label),
        metric("gunicorn.cohorts_list_p95", scale, round(p95, 1), "ms", goal=label),
        metric("gunicorn.cohorts_list_throughput", scale, round(len(latencies) / elapsed, 1), "req/s"),
        metric("gunicorn.failed_requests", scale, failures[0], "requests", goal="0", ok=failures[0] == 0),
    ]


# 2a. AUTHENTICATION (issue 19)

AUTH_CHECKS = 2_000
AUTH_GOAL_MS = 0.5


def measure_authentication(scale: int, checks: int = AUTH_CHECKS) -> list[dict]:
    """The API's key check on a valid key, as every partner request pays it: the authentication class the API
    uses, on a request carrying `Authorization: Api-Key …`, median over many; beside it the stored hash's check
    alone and the queries one check makes."""
    from django.conf import settings
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils.module_loading import import_string
    from rest_framework.request import Request

    from academies.models import OrganisationAPIKey

    plaintext = _key("catc")
    classes = [import_string(path) for path in settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]]
    authentication = next(cls() for cls in classes if cls.__name__ == "OrganisationAPIKeyAuthentication")
    request = Request(RequestFactory().get(LIST_PATH, headers={"Authorization": f"Api-Key {plaintext}"}))

    def check():
        user, _key_used = authentication.authenticate(request)
        assert user.organisation.slug == "catc"

    check()
    with CaptureQueriesContext(connection) as captured:
        check()
    queries = len(captured.captured_queries)
    stored = OrganisationAPIKey.objects.get_from_key(plaintext)
    generator = OrganisationAPIKey.objects.key_generator
    assert generator.verify(plaintext, stored.hashed_key)
    check_ms = _median_ms(check, checks)
    hash_ms = _median_ms(lambda: generator.verify(plaintext, stored.hashed_key), checks)
    return [
        metric("auth.api_key_check", scale, round(check_ms, 3), "ms", goal=f"< {AUTH_GOAL_MS} ms",
               ok=check_ms < AUTH_GOAL_MS),
        metric("auth.key_hash_check", scale, round(hash_ms, 4), "ms"),
        metric("auth.queries_per_check", scale, queries, "queries", goal="1", ok=queries == 1),
    ]  # fmt: skip


# 2b. DELTA SYNC, CONDITIONAL READS AND /me/ (issue 14)

DELTA_CHANGES = 100
# The growth goal of a delta sync (issue 14): the log-log slope of its time from 1x to 100x.
DELTA_FLAT = 0.1


def measure_delta(scale: int, repeat: int) -> list[dict]:
    """100 changed rows, then `?updated_since=` their moment over the whole list: the time must not grow with the
    list. Cohorts (~150,000 at 100x) and enrollments (~1.4 M) of CAT-C, each re-stamped as the product re-stamps a
    row whose representation changed elsewhere (`config.stamps.restamp`)."""
    import orjson
    from django.core.wsgi import get_wsgi_application

    from academies.models import Organisation
    from config import clock
    from config.stamps import restamp
    from trainees.models import Cohort, Enrollment

    application = get_wsgi_application()
    organisation = Organisation.objects.get(slug="catc")
    headers = {"Authorization": f"Api-Key {_key('catc')}"}
    out = []
    for label, path, queryset in (
        ("cohorts", LIST_PATH, Cohort.objects.visible_to(organisation)),
        ("enrollments", "/api/v1/enrollments/", Enrollment.objects.visible_to(organisation)),
    ):
        # Spread over the list, not its newest rows: every `DELTA_CHANGES`-th id of the caller's rows.
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        changed = sorted(ids[:: max(1, len(ids) // DELTA_CHANGES)][:DELTA_CHANGES])
        since = clock.now()
        restamp(queryset.model.objects.filter(pk__in=changed))
        query = urlencode({"updated_since": since.isoformat(), "page_size": PAGE_SIZE})
        status, body = _wsgi_get(application, path, query, headers)
        assert status == 200, (status, body[:300])
        page = orjson.loads(body)
        same = sorted(row["id"] for row in page["results"]) == changed and page["next"] is None
        sync_ms = _median_ms(lambda path=path, query=query: _wsgi_get(application, path, query, headers), repeat * 3)
        out += [
            metric(f"delta.{label}_{DELTA_CHANGES}_changes", scale, round(sync_ms, 1), "ms",
                   goal=f"flat (growth slope <= {DELTA_FLAT})"),
            metric(f"delta.{label}_rows_listed", scale, len(ids), "rows"),
            metric(f"delta.{label}_exactly_the_changes", scale, int(same), "bool", goal="1", ok=same),
        ]  # fmt: skip
    return out


def measure_conditional(scale: int, seconds: float) -> list[dict]:
    """The same page of the same list with the same key, answered in full and as a 304 to its current ETag,
    alternated in rounds of 10, beside `GET /me/` and the bench's authenticated floor (`bench/urls.py`: the
    middleware, authentication, throttle and headers every API answer costs, around an empty 204). The full page
    over the floor is the most a 304 could gain, whatever its validator cost."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    headers = {"Authorization": f"Api-Key {_key('catc')}"}
    query = f"page_size={PAGE_SIZE}"
    status, body, response_headers = _wsgi_full(application, "GET", LIST_PATH, query, headers, b"")
    assert status == 200, (status, body[:300])
    tag = response_headers["ETag"]
    conditional_headers = {**headers, "If-None-Match": tag}
    status, body, response_headers = _wsgi_full(application, "GET", LIST_PATH, query, conditional_headers, b"")
    honest = status == 304 and body == b"" and response_headers.get("ETag") == tag
    assert _wsgi_get(application, FLOOR_PATH, "", headers)[0] == 204
    kinds = {
        "full": (LIST_PATH, query, headers),
        "not_modified": (LIST_PATH, query, conditional_headers),
        "me": ("/api/v1/me/", "", headers),
        "floor": (FLOOR_PATH, "", headers),
    }
    counts, spent = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0.0)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for kind, (path, kind_query, kind_headers) in kinds.items():
            started = time.perf_counter()
            for _ in range(10):
                _wsgi_get(application, path, kind_query, kind_headers)
            spent[kind] += time.perf_counter() - started
            counts[kind] += 10
    rate = {kind: counts[kind] / spent[kind] for kind in kinds}
    ratio = round(rate["not_modified"] / rate["full"], 2)
    return [
        metric("conditional.not_modified", scale, round(rate["not_modified"], 1), "req/s", ratio=ratio,
               goal="ratio >= 5 (to the full page)", ok=ratio >= 5),
        metric("conditional.full_page", scale, round(rate["full"], 1), "req/s"),
        metric("conditional.not_modified_latency", scale, round(1000 / rate["not_modified"], 2), "ms"),
        metric("conditional.is_304_without_body", scale, int(honest), "bool", goal="1", ok=honest),
        metric("me.requests", scale, round(rate["me"], 1), "req/s",
               ratio=round(rate["me"] / rate["full"], 2)),
        metric("me.latency", scale, round(1000 / rate["me"], 2), "ms"),
        metric("conditional.authenticated_floor", scale, round(rate["floor"], 1), "req/s",
               ratio=round(rate["floor"] / rate["full"], 2), goal="the most a 304 can gain (ratio to the full page)"),
        metric("conditional.floor_latency", scale, round(1000 / rate["floor"], 2), "ms"),
    ]  # fmt: skip


# 3. BULK INGEST


def _copy_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def measure_bulk(scale: int, repeat: int) -> list[dict]:
    import orjson
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from academies.models import Organisation
    from trainees.models import Cohort, CountReturn, Enrollment, Trainee

    application = get_wsgi_application()
    headers = {"Authorization": f"Api-Key {_key('mission-hq')}"}
    headquarters = Organisation.objects.get(slug="mission-hq")
    today = timezone.localdate()
    pending = CountReturn.objects.pending().filter(cohort=OuterRef("pk"))
    cohorts = list(
        Cohort.objects.filter(starts_on__lte=today)
        .exclude(status=Cohort.Status.CANCELLED)
        .exclude(Exists(pending))
        .order_by("id")
        .values_list("id", "starts_on", "seats")[:BULK_ITEMS]
    )
    official = set(
        CountReturn.objects.official().filter(cohort_id__in=[c[0] for c in cohorts]).values_list("cohort_id", flat=True)
    )
    items = [
        {"cohort": pk, "as_of": max(starts_on, today - dt.timedelta(days=1)).isoformat(), "enrolled": seats,
         "completed": seats - 1, "withdrawn": 1}
        for pk, starts_on, seats in cohorts
    ]  # fmt: skip
    count_return_body = orjson.dumps({"items": items})

    roster = list(Cohort.objects.filter(has_roster=True).order_by("-id").values_list("id", flat=True)[:50])
    run = f"{time.time_ns() % 10**12:012d}"

    def enrollment_items(round_: int) -> list[dict]:
        return [
            {
                "cohort": roster[n % len(roster)],
                "trainee": f"{BENCH_REFERENCE}{run}-{round_}-{n:05d}",
                "status": "enrolled",
            }
            for n in range(BULK_ITEMS)
        ]

    results: dict[str, list[float]] = {"cr_api": [], "cr_copy": [], "en_api": [], "en_copy": []}
    # Each item is also an event (issue 14), written in the request's transaction. Publishing the events runs in a
    # worker after the commit, as in production, not in the request (this process runs tasks eagerly): it is
    # measured on its own by the events step (`events.publish_per_s`).
    from academies import events as events_module
    from academies.models import Event

    publication = events_module.enqueue_publication
    events_module.enqueue_publication = lambda: None  # type: ignore[assignment]
    try:
        for round_ in range(repeat):
            # Count returns through the API, then the same rows by COPY; both committed, then removed again.
            started = time.perf_counter()
            status, body = _wsgi(application, "POST", "/api/v1/count-returns/bulk/", "", headers, count_return_body)
            results["cr_api"].append(time.perf_counter() - started)
            assert status == 201, (status, body[:500])
            ids = orjson.loads(body)["ids"]
            _remove_count_returns(ids)
            now = timezone.now()
            supersedes = dict(
                CountReturn.objects.official().filter(cohort_id__in=official).values_list("cohort_id", "pk")
            )
            rows = [
                (item["cohort"], item["as_of"], item["enrolled"], item["completed"], item["withdrawn"], "submitted", now,
                 "", headquarters.pk, supersedes.get(item["cohort"]))
                for item in items
            ]  # fmt: skip
            started = time.perf_counter()
            with transaction.atomic():
                _copy_rows(
                    "trainees_countreturn",
                    ["cohort_id", "as_of", "enrolled", "completed", "withdrawn", "state", "submitted_at",
                     "rejection_reason", "submitted_by_organisation_id", "supersedes_id"],
                    rows,
                )  # fmt: skip
            results["cr_copy"].append(time.perf_counter() - started)
            _delete_without_signals(
                CountReturn.objects.filter(
                    submitted_at=now, state="submitted", cohort_id__in=[i["cohort"] for i in items]
                )
            )

            # Enrollments of new pseudonymous trainees: API, then the same trainees and enrollments by COPY.
            batch = enrollment_items(round_)
            started = time.perf_counter()
            status, body = _wsgi(
                application, "POST", "/api/v1/enrollments/bulk/", "", headers, orjson.dumps({"items": batch})
            )
            results["en_api"].append(time.perf_counter() - started)
            assert status == 201, (status, body[:500])
            _remove_bench_trainees(run)
            started = time.perf_counter()
            with transaction.atomic():
                now = timezone.now()
                _copy_rows("trainees_trainee", ["reference", "created_at"], [(item["trainee"], now) for item in batch])
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reference, id FROM trainees_trainee WHERE reference LIKE %s",
                        [f"{BENCH_REFERENCE}{run}-%"],
                    )
                    trainee_ids = dict(cursor.fetchall())
                _copy_rows(
                    "trainees_enrollment",
                    ["cohort_id", "trainee_id", "status", "updated_at"],
                    [(item["cohort"], trainee_ids[item["trainee"]], "enrolled", now) for item in batch],
                )
            results["en_copy"].append(time.perf_counter() - started)
            _remove_bench_trainees(run)
    finally:
        events_module.enqueue_publication = publication
        Event.objects.filter(sequence__isnull=True).delete()  # this run's, never published
    assert not Enrollment.objects.filter(trainee__reference__startswith=BENCH_REFERENCE + run).exists()
    assert not Trainee.objects.filter(reference__startswith=BENCH_REFERENCE + run).exists()

    out = []
    for kind, label, n in (("cr", "count_returns", len(items)), ("en", "enrollments", BULK_ITEMS)):
        api_s, copy_s = statistics.median(results[f"{kind}_api"]), statistics.median(results[f"{kind}_copy"])
        rate, ratio = n / api_s, round(api_s / copy_s, 2)
        out += [
            metric(f"bulk.{label}_api", scale, round(rate), "items/s", ratio=ratio,
                   goal="ratio <= 5; >= 5000 items/s", ok=ratio <= 5 and rate >= 5000),
            metric(f"bulk.{label}_copy", scale, round(n / copy_s), "items/s"),
            metric(f"bulk.{label}_{n}_commit", scale, round(api_s * 1000), "ms", goal="< 2000 ms", ok=api_s < 2),
        ]  # fmt: skip
    return out


def _delete_without_signals(queryset) -> int:
    """Delete the benchmark's own rows in one DELETE, without signals, cascades or history rows.

    Django offers it only as the private `QuerySet._raw_delete`; the benchmark alone uses it, on rows it made.
    """
    return queryset._raw_delete(queryset.db)  # noqa: SLF001


def _remove_count_returns(ids: list[int]) -> None:
    from trainees.models import CountReturn

    # Raw deletes: an ORM delete would record a "deleted" history row per return, one INSERT each.
    _delete_without_signals(CountReturn.history.filter(id__in=ids))
    _delete_without_signals(CountReturn.objects.filter(pk__in=ids))


def _remove_bench_trainees(run: str) -> None:
    from trainees.models import Enrollment, Trainee

    _delete_without_signals(Enrollment.objects.filter(trainee__reference__startswith=f"{BENCH_REFERENCE}{run}-"))
    _delete_without_signals(Trainee.objects.filter(reference__startswith=f"{BENCH_REFERENCE}{run}-"))


# 4. ADMIN

# Issue 19: every page a coordinator uses answers in 300 ms at 100x, with the same number of queries at every scale.
ADMIN_PAGE_GOAL_MS = 300


def admin_page_metrics(scale: int, name: str, ms: float, queries: int) -> list[dict]:
    """`admin.<name>` (its median against the per-page goal) and `admin.<name>.queries` (checked across scales)."""
    return [
        metric(f"admin.{name}", scale, round(ms, 1), "ms", goal=f"<= {ADMIN_PAGE_GOAL_MS} ms",
               ok=ms <= ADMIN_PAGE_GOAL_MS),
        metric(f"admin.{name}.queries", scale, queries, "queries", goal="same at every scale"),
    ]  # fmt: skip


def admin_summary(scale: int, page_ms: dict[str, float]) -> list[dict]:
    """`admin.slowest_page`, naming it, and `admin.pages_over_goal`, how many pages miss the per-page goal."""
    slowest = max(page_ms, key=page_ms.__getitem__)
    over = sorted(name for name, ms in page_ms.items() if ms > ADMIN_PAGE_GOAL_MS)
    return [
        {**metric("admin.slowest_page", scale, round(page_ms[slowest], 1), "ms"), "page": slowest},
        {**metric("admin.pages_over_goal", scale, len(over), "pages", goal="0", ok=not over), "pages": over},
    ]


def admin_changelist_models(site, coordinator_permissions: set[str]) -> list[tuple[str, str]]:
    """(app label, model name) of every model registered on the admin site that a Coordinator may view."""
    return [
        (model._meta.app_label, model._meta.model_name)
        for model in site.model_admins()
        if f"{model._meta.app_label}.view_{model._meta.model_name}" in coordinator_permissions
    ]


def admin_planning_urls(site) -> list[str]:
    """The URL names of the admin site's planning pages, from the planning views' own URL patterns."""
    from mission.admin_planning import PlanningViews

    return [pattern.name for pattern in PlanningViews(site).get_urls()]


def _coordinator_permissions() -> set[str]:
    from django.contrib.auth.models import Group

    from academies.management.commands.setup_roles import COORDINATOR

    group = Group.objects.get(name=COORDINATOR)
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _admin_pages() -> list[tuple[str, str]]:
    """(label, path) of every page a coordinator uses: the dashboard, each changelist of a model a Coordinator may
    view (from the admin site's registry), the pages of one object (on records every measured user may see,
    CAT-C's) and each planning page (from the planning views' URLs)."""
    from django.contrib import admin
    from django.urls import reverse

    from academies.models import Organisation
    from config import clock
    from trainees.models import Cohort, CountReturn

    command = Organisation.objects.get(slug="catc").command
    count_return = CountReturn.objects.filter(cohort__academy__command=command).order_by("-pk").first()
    assert count_return is not None, "no count return of CAT-C in the seeded data"
    cohort = count_return.cohort
    coming = (
        Cohort.objects.filter(academy__command=command, starts_on__gt=clock.today()).order_by("starts_on", "pk").first()
    )
    pages = [("index", reverse("admin:index"))]
    pages += [
        (f"{model}_changelist", reverse(f"admin:{app}_{model}_changelist"))
        for app, model in admin_changelist_models(admin.site, _coordinator_permissions())
    ]
    pages += [
        ("cohort_change", reverse("admin:trainees_cohort_change", args=[cohort.pk])),
        ("cohort_history", reverse("admin:trainees_cohort_history", args=[cohort.pk])),
        ("cohort_trainer_finder", reverse("admin:trainees_cohort_find_trainers", args=[(coming or cohort).pk])),
        ("countreturn_change", reverse("admin:trainees_countreturn_change", args=[count_return.pk])),
    ]
    pages += [(name, reverse(f"admin:{name}")) for name in admin_planning_urls(admin.site)]
    return pages


def _admin_users() -> list[tuple[str, object]]:
    """(prefix, user): a superuser, and a coordinator at mission HQ and at CAT-C, as `setup_roles` defines them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from academies.management.commands.setup_roles import COORDINATOR
    from academies.models import Organisation, StaffMembership

    users = get_user_model().objects
    superuser, _created = users.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    out: list[tuple[str, object]] = [("", superuser)]
    for prefix, slug in (("hq.", "mission-hq"), ("catc.", "catc")):
        user, _created = users.get_or_create(username=f"bench-coordinator-{slug}", defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name=COORDINATOR))
        StaffMembership.objects.get_or_create(user=user, defaults={"organisation": Organisation.objects.get(slug=slug)})
        out.append((prefix, users.get(pk=user.pk)))
    return out


def _counted(queries: list[str], execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)


def measure_admin(scale: int, repeat: int) -> list[dict]:
    """Each page of `_admin_pages` as each user of `_admin_users`: `admin.[hq.|catc.]<page>`, median of `repeat`,
    and the queries of one request after a first one (`admin.[hq.|catc.]<page>.queries`)."""
    from django.db import connection
    from django.test import Client

    pages = _admin_pages()
    out = []
    page_ms: dict[str, float] = {}
    for prefix, user in _admin_users():
        client = Client()
        client.force_login(user)
        for label, path in pages:
            response = client.get(path)
            assert response.status_code == 200, (prefix + label, path, response.status_code)
            # Counted as they run: CaptureQueriesContext slices the connection's query log, which each request
            # empties when it starts (`reset_queries`), so a slice taken across a request can come out empty.
            queries: list[str] = []
            with connection.execute_wrapper(partial(_counted, queries)):
                client.get(path)
            ms = _median_ms(lambda path=path, client=client: client.get(path), repeat)
            page_ms[prefix + label] = ms
            out += admin_page_metrics(scale, prefix + label, ms, len(queries))
    return out + admin_summary(scale, page_ms)


# 5. EXPORT


def measure_export(scale: int) -> list[dict]:
    """Stream every enrollment as CSV in a child process; its peak RSS shows whether it streams."""
    from django.db import connection

    rows = _count("trainees_enrollment")
    connection.close()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    started = time.perf_counter()
    # The export is started by a small go-between that reports its child's peak RSS. A child forked from this
    # process directly would report this process's own peak (Linux counts the pages it had before exec), which the
    # steps before the export have grown.
    go_between = (
        "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
    )
    with open(os.devnull, "wb") as sink:
        child = subprocess.run(  # noqa: S603 (our own interpreter and command)
            [sys.executable, "-c", go_between, sys.executable, "manage.py", "export_enrollments"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.PIPE, check=False,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    assert child.returncode == 0, f"export_enrollments exited with {child.returncode}: {child.stderr[-2000:]!r}"
    peak_mb = int(child.stderr.split()[-1]) / 1024  # kilobytes on Linux
    return [
        metric("export.enrollments_peak_rss", scale, round(peak_mb, 1), "MB", goal="< 150 MB", ok=peak_mb < 150),
        metric("export.enrollments_rate", scale, round(rows / seconds), "rows/s"),
        metric("export.enrollments_time", scale, round(seconds, 1), "s"),
    ]


# 7. EVENTS AND WEBHOOKS (issue 14)

WEBHOOK_EVENTS = 2_000


def _loopback_receiver():
    """An HTTP server on 127.0.0.1 that answers 204 to every POST and counts them, in a thread of this process."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    counted = {"messages": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                counted["messages"] += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread, counted


def measure_webhooks(scale: int, events: int = WEBHOOK_EVENTS) -> list[dict]:
    """Record `events` events on distinct cohorts, publish them, and deliver them to a loopback receiver with the
    product's own delivery loop (one worker, signing every message), timed from the first send to the last answer."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import transaction

    from academies.events import event_build, events_publish, events_record
    from academies.models import Event, Organisation, WebhookDelivery, WebhookEndpoint
    from academies.scope import SYSTEM
    from academies.webhooks import webhook_create, webhook_endpoint_deliver
    from trainees.models import Cohort

    settings.EUMAM_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    server, thread, counted = _loopback_receiver()
    headquarters = Organisation.objects.get(slug="mission-hq")
    endpoint, _secret = webhook_create(
        actor=SYSTEM, organisation=headquarters, url=f"http://127.0.0.1:{server.server_address[1]}/bench"
    )
    cohorts = list(Cohort.objects.order_by("id").values_list("id", "reference", "seats")[:events])
    # Tasks run eagerly in this process: publication and delivery would run inside the commit. Hold them, so that
    # each is timed on its own.
    from academies import events as events_module
    from academies import webhooks as webhooks_module

    held = (events_module.enqueue_publication, webhooks_module.deliveries_enqueue)
    events_module.enqueue_publication = webhooks_module.deliveries_enqueue = lambda *args: None  # type: ignore[assignment]
    try:
        with transaction.atomic():
            events_record(
                [
                    event_build(
                        type="cohort.changed", subject_type="cohort", subject_id=pk,
                        payload={"id": pk, "reference": reference, "seats": seats}, visibility="cohort",
                        visibility_id=pk, changes={"seats": [seats, seats]},
                    )
                    for pk, reference, seats in cohorts
                ]
            )  # fmt: skip
        started = time.perf_counter()
        published = events_publish()
        publish_s = time.perf_counter() - started
        application = get_wsgi_application()
        headers = {"Authorization": f"Api-Key {_key('mission-hq')}"}
        feed_ms = _median_ms(lambda: _wsgi_get(application, "/api/v1/events/", "page_size=100", headers), 5)
        started = time.perf_counter()
        for _run in range(100):  # bounded: each run sends for up to 50 s
            if not webhook_endpoint_deliver(endpoint_id=endpoint.pk):
                break
        deliver_s = time.perf_counter() - started
        delivered = WebhookDelivery.objects.filter(endpoint=endpoint, state="succeeded").count()
    finally:
        events_module.enqueue_publication, webhooks_module.deliveries_enqueue = held
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        bench_events = Event.objects.filter(deliveries__endpoint=endpoint)
        ids = list(bench_events.values_list("pk", flat=True))
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        Event.objects.filter(pk__in=ids).delete()
    rate = delivered / deliver_s if deliver_s else 0.0
    return [
        metric("webhooks.delivered_per_s", scale, round(rate, 1), "events/s", goal=">= 200 events/s (one worker)",
               ok=rate >= 200 and delivered == len(cohorts) == counted["messages"]),
        metric("webhooks.delivered", scale, delivered, "events"),
        metric("events.publish_per_s", scale, round(published / publish_s) if publish_s else 0, "events/s"),
        metric("events.feed_page_100", scale, round(feed_ms, 1), "ms"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure one scale of the benchmark suite.")
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated step labels, e.g. 'events and webhooks'")
    args = parser.parse_args(argv)
    _setup()
    repeat = 3 if args.quick else 7
    metrics: list[dict] = []
    steps = [
        ("progress report", lambda: measure_progress(args.scale, repeat)),
        ("API list", lambda: measure_api_list(args.scale, 4 if args.quick else 12)),
        ("authentication", lambda: measure_authentication(args.scale, 500 if args.quick else AUTH_CHECKS)),
        ("delta sync", lambda: measure_delta(args.scale, repeat)),
        ("conditional reads", lambda: measure_conditional(args.scale, 4 if args.quick else 12)),
        ("API latency under gunicorn", lambda: measure_gunicorn(args.scale, 5 if args.quick else 15)),
        ("bulk ingest", lambda: measure_bulk(args.scale, 1 if args.quick else 3)),
        ("admin changelists", lambda: measure_admin(args.scale, repeat)),
        ("CSV export", lambda: measure_export(args.scale)),
        ("events and webhooks", lambda: measure_webhooks(args.scale)),
    ]
    if args.only:
        steps = [(label, step) for label, step in steps if label in args.only.split(",")]
    for label, step in steps:
        started = time.monotonic()
        print(f"[{args.scale}x] {label}…", flush=True)
        metrics += step()
        print(f"[{args.scale}x] {label} done in {time.monotonic() - started:.1f} s", flush=True)
    Path(args.out).write_text(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
