"""The drill's partner traffic (bench/drill.py): bench/load.py's mix, through the balancer, with every write
retried under its `Idempotency-Key` until acknowledged, and every acknowledgement recorded with its time.

A write is acknowledged when the API answers 2xx. It is retried (same key, same body) on a transport error or a
5xx/429, for at most `WRITE_PATIENCE` seconds, so a write that committed on a node killed before it could answer is
acknowledged by the replay instead of being counted twice, and a write refused during an outage is made once the
outage ends.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

BULK_SIZE = 10
WRITE_PATIENCE = 150.0  # seconds: longer than any outage the drill makes


@dataclass
class Acknowledged:
    """What the API acknowledged: count returns by cohort id, enrollments by trainee reference, with times."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    count_returns: dict[int, float] = field(default_factory=dict)
    enrollments: dict[str, float] = field(default_factory=dict)
    abandoned: list[str] = field(default_factory=list)
    abort: threading.Event = field(default_factory=threading.Event)  # the drill failed: stop retrying at once
    statuses: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0
    requests: int = 0

    def status(self, code: int) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[code] = self.statuses.get(code, 0) + 1

    def total(self) -> int:
        return len(self.count_returns) + len(self.enrollments)

    def first_after(self, moment: float) -> float | None:
        """The time of the first acknowledgement after `moment` (time.monotonic)."""
        with self.lock:
            later = [t for t in (*self.count_returns.values(), *self.enrollments.values()) if t > moment]
        return min(later) if later else None

    def before(self, moment: float) -> tuple[set[int], set[str]]:
        with self.lock:
            return (
                {k for k, t in self.count_returns.items() if t <= moment},
                {k for k, t in self.enrollments.items() if t <= moment},
            )


def _write(session: requests.Session, url: str, body: dict, ack: Acknowledged) -> bool:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    deadline = time.monotonic() + WRITE_PATIENCE
    while time.monotonic() < deadline and not ack.abort.is_set():
        try:
            response = session.post(url, json=body, headers=headers, timeout=30)
        except requests.RequestException:
            with ack.lock:
                ack.transport_errors += 1
            time.sleep(0.5)
            continue
        ack.status(response.status_code)
        if 200 <= response.status_code < 300:
            return True
        if response.status_code < 500 and response.status_code != 429:
            return False  # refused for good (a 4xx): not a write
        time.sleep(0.5)
    return False


def partner(base: str, who: dict, as_of: str, serial_prefix: str, stop: threading.Event, ack: Acknowledged) -> None:
    """One partner system until `stop` is set: 60 % reads, 25 % count returns, 15 % bulk enrollments."""
    rng = random.Random(serial_prefix)  # noqa: S311 (a traffic mix, not security)
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {who['key']}"
    return_cohorts = iter(who["return_cohorts"])
    serial = 0
    reads = ["/api/v1/cohorts/", "/api/v1/progress/", "/api/v1/trainees/?page_size=50", "/api/v1/count-returns/"]
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.60:
            try:
                ack.status(session.get(base + rng.choice(reads), timeout=30).status_code)
            except requests.RequestException:
                with ack.lock:
                    ack.transport_errors += 1
                time.sleep(0.5)
        elif roll < 0.85:
            cohort = next(return_cohorts, None)
            if cohort is None:
                continue
            completed = rng.randint(0, 90)
            body = {"cohort": cohort, "as_of": as_of, "enrolled": 100, "completed": completed}
            body["withdrawn"] = rng.randint(0, 100 - completed)
            if _write(session, f"{base}/api/v1/count-returns/", body, ack):
                with ack.lock:
                    ack.count_returns[cohort] = time.monotonic()
            else:
                ack.abandoned.append(f"count return to cohort {cohort}")
        else:
            references = []
            for _ in range(BULK_SIZE):
                serial += 1
                references.append(f"UA-DR-{serial_prefix}-{serial:07d}")
            items = [{"cohort": who["cohort"], "trainee": reference} for reference in references]
            if _write(session, f"{base}/api/v1/enrollments/bulk/", {"items": items}, ack):
                now = time.monotonic()
                with ack.lock:
                    ack.enrollments.update(dict.fromkeys(references, now))
            else:
                ack.abandoned.append(f"bulk of {references[0]}…")
        time.sleep(0.02)  # two cores shared with the whole cluster: leave room for the servers


def start(base: str, seeded: dict, stop: threading.Event, ack: Acknowledged) -> list[threading.Thread]:
    threads = [
        threading.Thread(
            target=partner, args=(base, who, seeded["as_of"], f"{n:02d}", stop, ack), daemon=True, name=f"partner-{n}"
        )
        for n, who in enumerate(seeded["partners"])
    ]
    for thread in threads:
        thread.start()
    return threads
