"""One test base for every endpoint of the partner API (after NetBox's `APIViewTestCases`).

A test class for a routed viewset subclasses `EndpointCase` and declares what the endpoint is: its basename, the
organisation in whose scope the `matrix_world` object lies (`"<x>_a"`; its twin `"<x>_b"` is out of scope), how to
find the object and its out-of-scope twin, which actions it serves and the payloads of its writes. The base then
generates, for that endpoint:

- list: the in-scope caller sees its object and not the twin, with the declared count; the twin's caller sees the
  twin and not the object (reference data: both see it);
- retrieve: 200 in scope; out of scope, 404 with the very body a missing id gets, so nothing leaks;
- create, update (PUT), partial update (PATCH) with If-Match from a GET's ETag, delete: as declared, or 405 when
  the endpoint does not serve the action (official records are never deleted);
- anonymous: 401 on every method; read-only key: 403 on every write it may otherwise make, changing nothing;
- the absolute number of queries of a list and a retrieve, against tests/api/query_baselines.json.

`tests/api/test_endpoints.py` holds one class per viewset, and fails when a routed viewset has none. Routes outside
the router's CRUD (workflows, bulk, upserts, feeds) stay in the scoping matrix (tests/api/test_scoping_matrix.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import World

MISSING_ID = 987_654_321

READ = frozenset({"list", "retrieve"})
CRUD = frozenset({"list", "retrieve", "create", "update", "partial_update", "destroy"})

Payload = Callable[[World], dict[str, Any] | None]


class EndpointCase:
    """Declare an endpoint in a subclass named `Test...`; every `test_*` below runs for it."""

    basename: ClassVar[str]
    scope: ClassVar[str] = "command_a"  # the key that owns the object; scope[:-1] + "b" owns its twin
    object_name: ClassVar[str] = ""  # world.objects["a"][object_name]; its twin is world.objects["b"][object_name]
    public: ClassVar[bool] = False  # reference data: every partner sees it, so there is no twin
    actions: ClassVar[frozenset[str]] = READ
    list_count: ClassVar[int]  # rows the in-scope key lists in matrix_world
    create_out_of_scope: ClassVar[int] = 400  # what the twin's key gets posting the same body
    delete_object_name: ClassVar[str] = ""  # the row DELETE removes, if not the object itself
    unechoed: ClassVar[frozenset[str]] = frozenset()  # written fields the representation renders otherwise

    # PAYLOADS: a subclass that serves a write returns its body (derived from the world and the clock).

    def create_payload(self, world: World) -> dict[str, Any] | None:
        return None

    def update_payload(self, world: World) -> dict[str, Any] | None:  # PUT
        return None

    def partial_payload(self, world: World) -> dict[str, Any] | None:  # PATCH
        return None

    # WORLD
    # A subclass overrides these when its object is not world.objects[suffix][object_name].

    def get_object(self, world: World) -> Any:
        return world.objects["a"][self.object_name]

    def get_twin(self, world: World) -> Any:
        return world.objects["b"][self.object_name]

    def get_deletable(self, world: World) -> Any:
        return world.objects["a"][self.delete_object_name] if self.delete_object_name else self.get_object(world)

    # URLS AND CALLERS

    def list_url(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, pk: int) -> str:
        return reverse(f"api:{self.basename}-detail", args=[pk])

    @property
    def out_of_scope(self) -> str:
        return self.scope[:-1] + "b"

    @property
    def read_only(self) -> str:
        return self.scope + "_ro"

    def _writes(self, world: World) -> list[tuple[str, str, str, dict[str, Any] | None]]:
        """(action, method, url, body) of every write the endpoint serves, on the in-scope object."""
        url = self.detail_url(self.get_object(world).pk)
        writes = []
        if "create" in self.actions:
            writes.append(("create", "post", self.list_url(), self._payload(self.create_payload, world)))
        if "update" in self.actions:
            writes.append(("update", "put", url, self._payload(self.update_payload, world)))
        if "partial_update" in self.actions:
            writes.append(("partial_update", "patch", url, self._payload(self.partial_payload, world)))
        if "destroy" in self.actions:
            writes.append(("destroy", "delete", self.detail_url(self.get_deletable(world).pk), None))
        return writes

    def _payload(self, payload: Payload, world: World) -> dict[str, Any]:
        body = payload(world)
        assert body is not None, f"{type(self).__name__} serves a write but declares no payload for it"
        return body

    @staticmethod
    def _ids(response) -> list[int]:
        return [row["id"] for row in response.json()["results"]]

    @staticmethod
    def _etag(client, url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return response["ETag"]

    def _assert_echoed(self, response, payload: dict[str, Any]) -> None:
        body = response.json()
        for field, value in payload.items():
            if field not in self.unechoed:
                assert body[field] == value, f"{field}: sent {value!r}, the representation says {body[field]!r}"

    def _assert_not_allowed(self, world: World, method: str, url: str, who: str = "") -> None:
        response = getattr(world.client(who or self.scope), method)(url, {}, format="json")
        assert response.status_code == 405, f"{method.upper()} {url}: {response.status_code}"
        assert response.json()["errors"][0]["code"] == "method_not_allowed"

    # LIST

    def test_list_shows_the_object_in_scope_only(self, matrix_world):
        w = matrix_world
        response = w.client(self.scope).get(self.list_url(), {"page_size": 200})

        assert response.status_code == 200
        ids = self._ids(response)
        assert response.json()["count"] == len(ids) == self.list_count
        assert self.get_object(w).pk in ids
        if not self.public:
            assert self.get_twin(w).pk not in ids

    def test_list_of_the_other_scope_shows_its_own(self, matrix_world):
        w = matrix_world
        twin = None if self.public else self.get_twin(w)
        ids = self._ids(w.client(self.out_of_scope).get(self.list_url(), {"page_size": 200}))

        if twin is None:
            assert self.get_object(w).pk in ids
        else:
            assert twin.pk in ids and self.get_object(w).pk not in ids

    # RETRIEVE

    def test_retrieve_in_scope(self, matrix_world):
        obj = self.get_object(matrix_world)
        response = matrix_world.client(self.scope).get(self.detail_url(obj.pk))

        assert response.status_code == 200
        assert response.json()["id"] == obj.pk and response["ETag"]

    def test_retrieve_out_of_scope_is_a_missing_id(self, matrix_world):
        client = matrix_world.client(self.out_of_scope)
        response = client.get(self.detail_url(self.get_object(matrix_world).pk))

        if self.public:
            assert response.status_code == 200
            return
        missing = client.get(self.detail_url(MISSING_ID))
        assert response.status_code == missing.status_code == 404
        assert response.json() == missing.json()

    # CREATE

    def test_create(self, matrix_world):
        w = matrix_world
        if "create" not in self.actions:
            self._assert_not_allowed(w, "post", self.list_url())
            return
        payload = self._payload(self.create_payload, w)
        client = w.client(self.scope)

        response = client.post(self.list_url(), payload, format="json")

        assert response.status_code == 201, response.content[:500]
        self._assert_echoed(response, payload)
        created = self.detail_url(response.json()["id"])
        assert client.get(created).status_code == 200
        assert w.client(self.out_of_scope).get(created).status_code == (200 if self.public else 404)

    def test_create_out_of_scope(self, matrix_world):
        if "create" not in self.actions:
            self._assert_not_allowed(matrix_world, "post", self.list_url(), who=self.out_of_scope)
            return
        w = matrix_world
        before = w.client(self.scope).get(self.list_url()).json()["count"]

        response = w.client(self.out_of_scope).post(
            self.list_url(), self._payload(self.create_payload, w), format="json"
        )

        assert response.status_code == self.create_out_of_scope, response.content[:500]
        assert w.client(self.scope).get(self.list_url()).json()["count"] == before

    # UPDATE

    def _update(self, world: World, action: str, method: str, payload: Payload) -> None:
        url = self.detail_url(self.get_object(world).pk)
        if action not in self.actions:
            self._assert_not_allowed(world, method, url)
            return
        client, body = world.client(self.scope), self._payload(payload, world)

        assert getattr(client, method)(url, body, format="json").status_code == 428  # If-Match is required
        response = getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=self._etag(client, url))

        assert response.status_code == 200, response.content[:500]
        self._assert_echoed(response, body)
        self._assert_echoed(client.get(url), body)

    def test_update(self, matrix_world):
        self._update(matrix_world, "update", "put", self.update_payload)

    def test_partial_update(self, matrix_world):
        self._update(matrix_world, "partial_update", "patch", self.partial_payload)

    def test_writes_out_of_scope_are_a_missing_id(self, matrix_world):
        w = matrix_world
        client = w.client(self.out_of_scope)
        for action, method, url, body in self._writes(w):
            if action == "create":
                continue  # test_create_out_of_scope
            missing = getattr(client, method)(re.sub(r"/\d+/$", f"/{MISSING_ID}/", url), body, format="json")
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
            assert response.json() == missing.json()
        assert w.client(self.scope).get(self.detail_url(self.get_deletable(w).pk)).status_code == 200

    # DELETE

    def test_delete(self, matrix_world):
        w = matrix_world
        obj = self.get_deletable(w)
        url = self.detail_url(obj.pk)
        if "destroy" not in self.actions:
            self._assert_not_allowed(w, "delete", url)
            assert type(obj).objects.filter(pk=obj.pk).exists()
            return
        client = w.client(self.scope)

        assert client.delete(url).status_code == 428
        response = client.delete(url, HTTP_IF_MATCH=self._etag(client, url))

        assert response.status_code == 204
        assert client.get(url).status_code == 404

    # ANONYMOUS AND READ-ONLY KEYS

    def test_anonymous_is_refused_everything(self, matrix_world):
        w = matrix_world
        anonymous = w.client(None)
        calls = [("get", self.list_url()), ("get", self.detail_url(self.get_object(w).pk))]
        calls += [(method, url) for _action, method, url, _body in self._writes(w)]
        for method, url in calls:
            response = getattr(anonymous, method)(url, {}, format="json")
            assert response.status_code == 401, f"{method.upper()} {url}: {response.status_code}"

    def test_a_read_only_key_reads_and_writes_nothing(self, matrix_world):
        w = matrix_world
        read_only, owner = w.client(self.read_only), w.client(self.scope)
        obj_url = self.detail_url(self.get_object(w).pk)
        assert self.get_object(w).pk in self._ids(read_only.get(self.list_url(), {"page_size": 200}))
        before = (owner.get(self.list_url()).json()["count"], self._etag(owner, obj_url))

        for _action, method, url, body in self._writes(w):
            headers = {} if method == "post" else {"HTTP_IF_MATCH": self._etag(owner, url)}
            response = getattr(read_only, method)(url, body, format="json", **headers)
            assert response.status_code == 403, f"{method.upper()} {url}: {response.status_code}"
            assert response.json()["errors"][0]["code"] == "permission_denied"

        assert (owner.get(self.list_url()).json()["count"], self._etag(owner, obj_url)) == before

    # QUERY COUNTS (absolute, against tests/api/query_baselines.json)

    def test_list_query_count(self, matrix_world, query_baselines):
        client = matrix_world.client(self.scope)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(self.list_url())
        assert response.status_code == 200
        query_baselines.check(f"{self.basename}:list", len(captured), objects=response.json()["count"])

    def test_retrieve_query_count(self, matrix_world, query_baselines):
        client = matrix_world.client(self.scope)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(self.detail_url(self.get_object(matrix_world).pk))
        assert response.status_code == 200
        query_baselines.check(f"{self.basename}:retrieve", len(captured))


def endpoint_cases() -> list[type[EndpointCase]]:
    """Every declared endpoint class (those of the modules imported so far)."""
    found, pending = [], list(EndpointCase.__subclasses__())
    while pending:
        case = pending.pop()
        found.append(case)
        pending.extend(case.__subclasses__())
    return [case for case in found if case.__name__.startswith("Test")]


__all__ = ["CRUD", "READ", "EndpointCase", "endpoint_cases"]
