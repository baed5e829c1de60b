"""The scoping matrix: every route and method of the API, called with an in-scope key, an out-of-scope key, a
read-only key and no key (and, for coordinator-only workflows, a coordinator's session).

Routes are enumerated from the router and URL patterns themselves; a route without an entry here fails the suite,
so a new endpoint cannot ship without stating who may use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, reverse

from academies.management.commands.setup_roles import COORDINATOR as COORDINATOR_ROLE
from academies.management.commands.setup_roles import OBSERVER as OBSERVER_ROLE
from config import clock
from config.api_router import urlpatterns as api_urlpatterns
from tests.api.conftest import TOMBSTONE_ID
from tests.factories import CohortFactory
from trainees.models import Cohort, CountReturn, TrainerAssignment

ANON, READ_ONLY, OUT, IN, COORDINATOR = "anonymous", "read-only key", "out-of-scope key", "in-scope key", "coordinator"


@dataclass(frozen=True)
class Entry:
    """How to call one route with one method, and what each caller must get back."""

    scope: str  # the in-scope organisation; "<x>_a" is in scope, "<x>_b" is its out-of-scope twin
    url: Callable  # world -> url
    expect: dict
    payload: Callable | None = None  # world -> body
    listed: Callable | None = None  # world -> id that a list must (in scope) or must not (out of scope) show
    public: bool = False  # reference data: every partner sees it


def _obj(name: str, suffix: str = "a"):
    return lambda w: w.objects[suffix][name]


def _list(basename: str) -> Callable:
    return lambda w: reverse(f"api:{basename}-list")


def _detail(basename: str, name: str) -> Callable:
    return lambda w: reverse(f"api:{basename}-detail", args=[w.objects["a"][name].pk])


def _action(basename: str, name: str, action: str) -> Callable:
    return lambda w: reverse(f"api:{basename}-{action}", args=[w.objects["a"][name].pk])


def _public(w, model_name):
    return w.objects["public"][model_name].pk


def read_list(scope, basename, name, public=False, listed=None):
    expect = {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    return Entry(scope, _list(basename), expect, listed=listed or (lambda w: _obj(name)(w).pk), public=public)


def read_deleted(scope, basename):
    """A list's `deleted/`: everyone reads their own; the tombstone made in `matrix_world` is the in-scope one's."""
    expect = {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}

    def url(w):
        since = (clock.now() - dt.timedelta(days=1)).isoformat()
        return f"{reverse(f'api:{basename}-deleted')}?{urlencode({'since': since})}"

    return Entry(scope, url, expect, listed=lambda w: TOMBSTONE_ID)


def read_detail(scope, basename, name, public=False, url=None):
    expect = {ANON: 401, READ_ONLY: 200, OUT: 200 if public else 404, IN: 200}
    return Entry(scope, url or _detail(basename, name), expect, public=public)


def write_detail(scope, url, ok, payload=None):
    return Entry(scope, url, {ANON: 401, READ_ONLY: 403, OUT: 404, IN: ok}, payload=payload)


def create(scope, basename, payload, ok=201, out=400, url=None):
    return Entry(scope, url or _list(basename), {ANON: 401, READ_ONLY: 403, OUT: out, IN: ok}, payload=payload)


def _unit_feedback_payload(w):
    return {
        "cohort": w.objects["a"]["rated_cohort"].pk,
        "checkpoint": "week_4",
        "not_ready": 2,
        "partly_ready": 8,
        "ready": 70,
        "fully_ready": 10,
        "units_responding": 3,
    }


def _cohort_payload(w):
    return {
        "reference": "C-NEW",
        "course": "basic",
        "academy": "site-a",
        "starts_on": "2026-05-04",
        "ends_on": "2026-06-07",
        "seats": 50,
    }


def _cohort_put(w):
    cohort = w.objects["a"]["cohort"]
    return {
        "reference": cohort.reference,
        "course": "basic",
        "academy": "site-a",
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "seats": 120,
        "status": "completed",  # what its dates give: they lie in the past
        "has_roster": True,
    }


def _trainer_put(w):
    return {
        "reference": "T-A-1",
        "display_name": "Renamed",
        "nation": "PL",
        "qualifications": ["basic"],
        "languages": ["en", "uk"],
        "is_active": True,
    }


def _subscription(w):
    return {
        "name": "New subscription",
        "recipients": ["ops@example.eu"],
        "frequency": "weekly",
        "weekday": 1,
        "scope": "command",
        "command": "cat-c",
    }


def _reporting_cohort(w):
    """A cohort of site A without a pending return: a cohort takes one pending return at a time."""
    if "reporting" not in w.objects:
        w.objects["reporting"] = CohortFactory(
            reference="C-A-REPORTING", academy=w.objects["a"]["site"], course=w.objects["course"]
        )
    return w.objects["reporting"]


def _return(w, cohort=None):
    return {
        "cohort": (cohort or _reporting_cohort(w)).pk,
        "as_of": "2025-04-06",
        "enrolled": 100,
        "completed": 90,
        "withdrawn": 5,
    }


MATRIX: dict[tuple[str, str], Entry] = {
    ("api-root", "get"): Entry(
        "command_a", lambda w: reverse("api:api-root"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    ("me", "get"): Entry("command_a", lambda w: reverse("api:me"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}),
    ("progress", "get"): Entry(
        "command_a", lambda w: reverse("api:progress"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    # Issue 18: within the caller's progress scope, as /progress/ (content: tests/mission/test_curriculum.py).
    ("progress-by-course-version", "get"): Entry(
        "command_a",
        lambda w: reverse("api:progress-by-course-version"),
        {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200},
    ),
    ("progress-ukrainian-instructors", "get"): Entry(
        "command_a",
        lambda w: reverse("api:progress-ukrainian-instructors"),
        {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200},
    ),
    # Reference data
    ("academy-list", "get"): read_list("command_a", "academy", "site", public=True),
    ("academy-detail", "get"): read_detail("command_a", "academy", "site", public=True),
    ("course-list", "get"): read_list(
        "command_a", "course", None, public=True, listed=lambda w: w.objects["course"].pk
    ),
    ("course-detail", "get"): read_detail(
        "command_a",
        "course",
        None,
        public=True,
        url=lambda w: reverse("api:course-detail", args=[w.objects["course"].pk]),
    ),
    # Course versions (issue 18) are read like the catalogue; mission HQ adds them in the admin.
    ("course-version-list", "get"): read_list(
        "command_a", "course-version", None, public=True, listed=lambda w: w.objects["course"].versions.get().pk
    ),
    ("course-version-detail", "get"): read_detail(
        "command_a",
        "course-version",
        None,
        public=True,
        url=lambda w: reverse("api:course-version-detail", args=[w.objects["course"].versions.get().pk]),
    ),
    ("target-list", "get"): read_list("command_a", "target", None, public=True, listed=lambda w: _public(w, "target")),
    ("target-detail", "get"): read_detail(
        "command_a",
        "target",
        None,
        public=True,
        url=lambda w: reverse("api:target-detail", args=[_public(w, "target")]),
    ),
    ("milestone-list", "get"): read_list(
        "command_a", "milestone", None, public=True, listed=lambda w: _public(w, "milestone")
    ),
    ("milestone-detail", "get"): read_detail(
        "command_a",
        "milestone",
        None,
        public=True,
        url=lambda w: reverse("api:milestone-detail", args=[_public(w, "milestone")]),
    ),
    ("mandate-version-list", "get"): read_list(
        "command_a", "mandate-version", None, public=True, listed=lambda w: _public(w, "mandate")
    ),
    ("mandate-version-detail", "get"): read_detail(
        "command_a",
        "mandate-version",
        None,
        public=True,
        url=lambda w: reverse("api:mandate-version-detail", args=[_public(w, "mandate")]),
    ),
    # National caveats (issue 18): a ministry sees its own state's authorisations (mission HQ and the organisations
    # that run sites see every state's); read-only, kept by mission HQ in the admin.
    ("deployment-authorisation-list", "get"): read_list("ministry_a", "deployment-authorisation", "authorisation"),
    ("deployment-authorisation-detail", "get"): read_detail("ministry_a", "deployment-authorisation", "authorisation"),
    # Trainers and their rotation windows: the contributing state's ministry
    ("trainer-list", "get"): read_list("ministry_a", "trainer", "trainer"),
    # Another nation's ministry sees the nation (reference data) but may not register its trainers: the scope rule.
    ("trainer-list", "post"): create(
        "ministry_a",
        "trainer",
        lambda w: {"reference": "T-NEW-1", "nation": "PL", "qualifications": ["basic"], "languages": ["en"]},
        out=403,
    ),
    ("trainer-detail", "get"): read_detail("ministry_a", "trainer", "trainer"),
    ("trainer-detail", "put"): write_detail("ministry_a", _detail("trainer", "trainer"), 200, _trainer_put),
    ("trainer-detail", "patch"): write_detail(
        "ministry_a", _detail("trainer", "trainer"), 200, lambda w: {"display_name": "Sgt. Renamed"}
    ),
    ("trainer-availability-list", "get"): read_list("ministry_a", "trainer-availability", "window"),
    ("trainer-availability-list", "post"): create(
        "ministry_a",
        "trainer-availability",
        lambda w: {"trainer": "T-A-2", "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
    ),
    ("trainer-availability-deleted", "get"): read_deleted("ministry_a", "trainer-availability"),
    ("trainer-availability-detail", "get"): read_detail("ministry_a", "trainer-availability", "window"),
    ("trainer-availability-detail", "put"): write_detail(
        "ministry_a",
        _detail("trainer-availability", "window"),
        200,
        lambda w: {"trainer": "T-A-1", "starts_on": "2024-12-01", "ends_on": "2025-12-31", "note": "extended"},
    ),
    ("trainer-availability-detail", "patch"): write_detail(
        "ministry_a", _detail("trainer-availability", "window"), 200, lambda w: {"note": "rotation 7"}
    ),
    ("trainer-availability-detail", "delete"): write_detail(
        "ministry_a", _detail("trainer-availability", "spare_window"), 204
    ),
    # Cohorts and everything in them: the command (or academy) that runs the site
    ("cohort-list", "get"): read_list("command_a", "cohort", "cohort"),
    ("cohort-list", "post"): create("command_a", "cohort", _cohort_payload),
    ("cohort-detail", "get"): read_detail("command_a", "cohort", "cohort"),
    # The trainer finder answers for the cohorts the caller sees (its content by scope: test_eligible_trainers.py).
    ("cohort-eligible-trainers", "get"): read_detail(
        "command_a", "cohort", "cohort", url=_action("cohort", "cohort", "eligible-trainers")
    ),
    ("cohort-detail", "put"): write_detail("command_a", _detail("cohort", "cohort"), 200, _cohort_put),
    ("cohort-detail", "patch"): write_detail("command_a", _detail("cohort", "cohort"), 200, lambda w: {"seats": 90}),
    ("trainer-assignment-list", "get"): read_list("command_a", "trainer-assignment", "assignment"),
    ("trainer-assignment-list", "post"): create(
        "command_a",
        "trainer-assignment",
        lambda w: {"trainer": "T-A-2", "cohort": w.objects["a"]["cohort"].pk, "role": "instructor"},
    ),
    # Upserts by natural key: an out-of-scope key's items fail (its site, its cohort), all or nothing: 400.
    ("cohort-upsert", "post"): create(
        "command_a",
        "cohort",
        lambda w: {"items": [_cohort_payload(w)]},
        ok=200,
        url=lambda w: reverse("api:cohort-upsert"),
    ),
    ("trainer-assignment-upsert", "post"): create(
        "command_a",
        "trainer-assignment",
        lambda w: {"items": [{"trainer": "T-A-2", "cohort": w.objects["a"]["cohort"].pk, "role": "instructor"}]},
        ok=200,
        url=lambda w: reverse("api:trainer-assignment-upsert"),
    ),
    ("trainer-assignment-deleted", "get"): read_deleted("command_a", "trainer-assignment"),
    ("trainer-assignment-detail", "get"): read_detail("command_a", "trainer-assignment", "assignment"),
    ("trainer-assignment-detail", "delete"): write_detail(
        "command_a", _detail("trainer-assignment", "assignment"), 204
    ),
    ("trainee-list", "get"): read_list("command_a", "trainee", "trainee"),
    ("trainee-detail", "get"): read_detail("command_a", "trainee", "trainee"),
    ("enrollment-list", "get"): read_list("command_a", "enrollment", "enrollment"),
    ("enrollment-list", "post"): create(
        "command_a", "enrollment", lambda w: {"cohort": w.objects["a"]["cohort"].pk, "trainee": "UA-new-0001"}
    ),
    ("enrollment-detail", "get"): read_detail("command_a", "enrollment", "enrollment"),
    ("enrollment-bulk", "post"): create(
        "command_a",
        "enrollment",
        lambda w: {"items": [{"cohort": w.objects["a"]["cohort"].pk, "trainee": "UA-new-0002"}]},
        url=lambda w: reverse("api:enrollment-bulk"),
    ),
    ("count-return-list", "get"): read_list("command_a", "count-return", "count_return"),
    ("count-return-list", "post"): create("command_a", "count-return", _return),
    ("count-return-detail", "get"): read_detail("command_a", "count-return", "count_return"),
    ("count-return-bulk", "post"): create(
        "command_a", "count-return", lambda w: {"items": [_return(w)]}, url=lambda w: reverse("api:count-return-bulk")
    ),
    # Partners never verify or approve, even in scope: only coordinators with the permission.
    ("count-return-verify", "post"): Entry(
        "command_a",
        _action("count-return", "count_return", "verify"),
        {ANON: 401, READ_ONLY: 403, OUT: 404, IN: 403, COORDINATOR: 200},
    ),
    ("count-return-approve", "post"): Entry(
        "command_a",
        _action("count-return", "count_return", "approve"),
        # The coordinator reaches the service, which refuses a return that is not yet verified.
        {ANON: 401, READ_ONLY: 403, OUT: 404, IN: 403, COORDINATOR: 400},
    ),
    ("count-return-reject", "post"): Entry(
        "command_a",
        _action("count-return", "count_return", "reject"),
        {ANON: 401, READ_ONLY: 403, OUT: 404, IN: 403, COORDINATOR: 200},
        payload=lambda w: {"reason": "Figures do not add up."},
    ),
    # Feedback from the units (issue 18): a Ukrainian academy rates its own cohorts; another one's cohort is no
    # such cohort (400, as a missing id). Posting on a checkpoint that has feedback corrects it.
    ("unit-feedback-list", "get"): read_list("ua_academy_a", "unit-feedback", "unit_feedback"),
    ("unit-feedback-list", "post"): create(
        "ua_academy_a",
        "unit-feedback",
        _unit_feedback_payload,
    ),
    ("unit-feedback-detail", "get"): read_detail("ua_academy_a", "unit-feedback", "unit_feedback"),
    ("unit-feedback-response-rate", "get"): Entry(
        "ua_academy_a",
        lambda w: reverse("api:unit-feedback-response-rate"),
        {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200},
    ),
    # Report subscriptions belong to the organisation that made them; reports are seen through them.
    ("report-subscription-list", "get"): read_list("command_a", "report-subscription", "subscription"),
    ("report-subscription-list", "post"): create("command_a", "report-subscription", _subscription),
    ("report-subscription-deleted", "get"): read_deleted("command_a", "report-subscription"),
    ("report-subscription-detail", "get"): read_detail("command_a", "report-subscription", "subscription"),
    ("report-subscription-detail", "put"): write_detail(
        "command_a", _detail("report-subscription", "subscription"), 200, _subscription
    ),
    ("report-subscription-detail", "patch"): write_detail(
        "command_a", _detail("report-subscription", "subscription"), 200, lambda w: {"name": "Renamed"}
    ),
    ("report-subscription-detail", "delete"): write_detail(
        "command_a", _detail("report-subscription", "subscription"), 204
    ),
    ("progress-report-list", "get"): read_list("command_a", "progress-report", "report"),
    ("progress-report-detail", "get"): read_detail("command_a", "progress-report", "report"),
    # Planning (read-only). Content scoping, exact figures and a ministry's own nation: tests/api/test_planning.py.
    ("planning-staffing-gaps", "get"): Entry(
        "command_a", lambda w: reverse("api:planning-staffing-gaps"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    ("planning-rotations", "get"): Entry(
        "ministry_a",
        lambda w: reverse("api:planning-rotations") + "?nation=PL",
        # The other nation's ministry may not read Poland's rotations.
        {ANON: 401, READ_ONLY: 200, OUT: 403, IN: 200},
    ),
    ("planning-utilisation", "get"): Entry(
        "command_a", lambda w: reverse("api:planning-utilisation"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    ("planning-what-if", "get"): Entry(
        "command_a", lambda w: reverse("api:planning-what-if"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    # Events and webhooks (issue 14): the feed is every caller's own (what it lists: tests/academies/test_events.py);
    # endpoints belong to the organisation that registered them, so another one may register its own.
    ("events", "get"): Entry(
        "command_a", lambda w: reverse("api:events"), {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    ("webhook-list", "get"): read_list("command_a", "webhook", "webhook"),
    ("webhook-list", "post"): create(
        "command_a", "webhook", lambda w: {"url": "https://hooks.example.eu/new"}, out=201
    ),
    ("webhook-deleted", "get"): read_deleted("command_a", "webhook"),
    ("webhook-detail", "get"): read_detail("command_a", "webhook", "webhook"),
    ("webhook-detail", "put"): write_detail(
        "command_a",
        _detail("webhook", "webhook"),
        200,
        lambda w: {"url": "https://hooks.example.eu/moved", "event_types": ["cohort.*"], "is_active": True},
    ),
    ("webhook-detail", "patch"): write_detail(
        "command_a", _detail("webhook", "webhook"), 200, lambda w: {"description": "Planning system"}
    ),
    ("webhook-detail", "delete"): write_detail("command_a", _detail("webhook", "webhook"), 204),
    ("webhook-rotate-secret", "post"): write_detail("command_a", _action("webhook", "webhook", "rotate-secret"), 200),
    ("webhook-replay", "post"): write_detail(
        "command_a", _action("webhook", "webhook", "replay"), 202, lambda w: {"from_sequence": 0}
    ),
    ("webhook-deliveries", "get"): Entry(
        "command_a",
        _action("webhook", "webhook", "deliveries"),
        {ANON: 401, READ_ONLY: 200, OUT: 404, IN: 200},
    ),
    # Training records (issue 18): mission HQ and Ukrainian institutions read them; an EU site's key answers 404,
    # as for a reference that does not exist (tests/api/test_training_records.py). The signing keys are public.
    ("training-record-detail", "get"): Entry(
        "ukraine_a",
        lambda w: reverse("api:training-record-detail", args=[w.objects["a"]["trainee"].reference]),
        {ANON: 401, READ_ONLY: 200, OUT: 404, IN: 200},
    ),
    ("training-record-signed", "get"): Entry(
        "ukraine_a",
        lambda w: reverse("api:training-record-signed", args=[w.objects["a"]["trainee"].reference]),
        {ANON: 401, READ_ONLY: 200, OUT: 404, IN: 200},
    ),
    ("training-record-keys", "get"): Entry(
        "ukraine_a", lambda w: reverse("api:training-record-keys"), {ANON: 200, READ_ONLY: 200, OUT: 200, IN: 200}
    ),
    ("planning-ukraine-conditions", "get"): Entry(
        "command_a",
        lambda w: reverse("api:planning-ukraine-conditions"),
        {ANON: 401, READ_ONLY: 200, OUT: 200, IN: 200},
    ),
}


def api_routes() -> set[tuple[str, str]]:
    """Every (route name, HTTP method) the API serves, read from the URL patterns and the viewsets' actions."""
    routes: set[tuple[str, str]] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
                continue
            assert isinstance(pattern, URLPattern)
            callback = pattern.callback
            actions = getattr(callback, "actions", None)
            if actions:
                methods = set(actions)
            else:
                view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
                methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}
            # HEAD is answered by the GET handler, so the GET entry covers it.
            for method in methods - {"head", "options"}:
                routes.add((pattern.name, method))

    walk(api_urlpatterns)
    return routes


def test_every_api_route_has_a_matrix_entry():
    routes = api_routes()
    missing = sorted(routes - set(MATRIX))
    assert not missing, f"Routes without a scoping-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - routes)
    assert not stale, f"Matrix entries for routes that no longer exist: {stale}"
    assert len(routes) >= 40


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# Writes to one object, which must send the object's current ETag as If-Match (docs/api.md §6).
WORKFLOW_ACTIONS = ("verify", "approve", "reject")


def _conditional(route) -> bool:
    name, method = route
    return method in ("put", "patch", "delete") or name.rsplit("-", 1)[-1] in WORKFLOW_ACTIONS


def _object_url(url: str, route) -> str:
    """The object a write addresses: the detail itself, or the detail of a workflow action's return."""
    return url.rsplit("/", 2)[0] + "/" if route[0].rsplit("-", 1)[-1] in WORKFLOW_ACTIONS else url


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda route: f"{route[0]}:{route[1]}")
def test_scoping_matrix(route, matrix_world, coordinator_client):
    _name, method = route
    entry = MATRIX[route]
    w = matrix_world
    url = entry.url(w)
    payload = entry.payload(w) if entry.payload else None
    out_scope = entry.scope[:-1] + "b"
    conditional = _conditional(route)
    # Callers that must not change anything go first, the in-scope writer last.
    # Coordinator-only workflows: the in-scope partner is refused (changing nothing) before the coordinator acts.
    callers = [(ANON, None), (READ_ONLY, entry.scope + "_ro"), (OUT, out_scope), (IN, entry.scope)]
    if COORDINATOR in entry.expect:
        callers.append((COORDINATOR, "coordinator"))
    for label, who in callers:
        client = coordinator_client if who == "coordinator" else w.client(who)
        headers = {}
        if conditional and label in (IN, COORDINATOR):
            if entry.expect[label] < 300:
                # Without If-Match the write is refused, and changes nothing: 428, after scope and role.
                bare = getattr(client, method)(url, payload, format="json")
                assert bare.status_code == 428, f"{method.upper()} {url} without If-Match: {bare.status_code}"
            headers["HTTP_IF_MATCH"] = client.get(_object_url(url, route))["ETag"]
        # Everyone else sends none: 401, 403 and 404 come before the precondition, so a 428 never tells them an
        # object exists.
        response = getattr(client, method)(url, payload, format="json", **headers)
        assert response.status_code == entry.expect[label], (
            f"{method.upper()} {url} as {label}: expected {entry.expect[label]}, got {response.status_code}: "
            f"{response.content[:300]!r}"
        )
        if response.status_code >= 400:
            body = response.json()
            assert body["errors"] and body["type"] in ("validation_error", "client_error")
        if entry.listed and method == "get" and response.status_code == 200:
            listed = entry.listed(w) in _ids(response)
            expected = entry.public or label in (IN, READ_ONLY)
            assert listed == expected, f"{url} as {label}: object listed={listed}, expected {expected}"


# STAFF SESSIONS (issue 13): a staff account's scope is its organisation's, exactly as for the organisation's keys,
# and its role decides what it may write. Mission HQ sees the whole mission; an account without an organisation
# sees nothing.


def _references(client) -> set[str]:
    return {row["reference"] for row in client.get(reverse("api:cohort-list")).json()["results"]}


@pytest.mark.django_db
def test_a_cat_c_coordinators_session_sees_and_verifies_only_cat_c(world, session_of):
    client = session_of(COORDINATOR_ROLE, organisation=world.orgs["command_a"])
    own, other = world.objects["a"], world.objects["b"]

    assert _references(client) == {"C-A"}
    assert client.get(reverse("api:cohort-detail", args=[other["cohort"].pk])).status_code == 404
    assert {row["id"] for row in client.get(reverse("api:count-return-list")).json()["results"]} == {
        own["count_return"].pk
    }
    own_return = reverse("api:count-return-detail", args=[own["count_return"].pk])
    etag = client.get(own_return)["ETag"]
    assert client.post(own_return + "verify/", HTTP_IF_MATCH=etag).status_code == 200
    assert client.post(reverse("api:count-return-verify", args=[other["count_return"].pk])).status_code == 404
    assert CountReturn.objects.get(pk=other["count_return"].pk).state == "submitted"


@pytest.mark.django_db
def test_an_observers_session_reads_the_whole_mission_and_writes_nothing(world, session_of):
    client = session_of(OBSERVER_ROLE, organisation=world.orgs["hq"])
    cohort, count_return = world.objects["a"]["cohort"], world.objects["a"]["count_return"]

    assert _references(client) == {"C-A", "C-B"}  # at mission HQ
    writes = [
        ("post", reverse("api:cohort-list"), _cohort_payload(world)),
        ("patch", reverse("api:cohort-detail", args=[cohort.pk]), {"seats": 90}),
        ("post", reverse("api:count-return-list"), _return(world, cohort=cohort)),
        ("post", reverse("api:count-return-verify", args=[count_return.pk]), None),
        ("delete", reverse("api:trainer-assignment-detail", args=[world.objects["a"]["assignment"].pk]), None),
    ]
    for method, url, payload in writes:
        response = getattr(client, method)(url, payload, format="json")
        assert response.status_code == 403, f"{method.upper()} {url}: {response.content[:300]!r}"
        assert response.json()["errors"][0]["code"] == "permission_denied"
    assert Cohort.objects.count() == 2 and Cohort.objects.get(pk=cohort.pk).seats == cohort.seats
    assert CountReturn.objects.count() == 2 and CountReturn.objects.get(pk=count_return.pk).state == "submitted"
    assert TrainerAssignment.objects.count() == 2


@pytest.mark.django_db
def test_a_staff_session_without_an_organisation_sees_nothing(world, session_of):
    client = session_of(COORDINATOR_ROLE)

    for basename in ("cohort", "count-return", "trainer", "enrollment", "academy"):
        assert client.get(reverse(f"api:{basename}-list")).json()["count"] == 0, basename
    cohort = world.objects["a"]["cohort"]
    assert client.get(reverse("api:cohort-detail", args=[cohort.pk])).status_code == 404
    assert client.patch(reverse("api:cohort-detail", args=[cohort.pk]), {"seats": 90}, format="json").status_code == 404
