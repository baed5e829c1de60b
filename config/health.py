"""`/health/`: the database, the cache and the Celery broker, answered 200 when all are up and 503 otherwise.

A load balancer reads 503 as "take this node out of rotation"; django-health-check answers 500, which
monitoring would also file as a crash of our own code, so the view maps a failed check to 503.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2.0


@dataclasses.dataclass
class Broker(HealthCheck):
    """Open a connection to the Celery broker (Redis in production) with a short timeout.

    Only the connection is probed, not the workers: a web node stays in rotation while the workers restart,
    because a task enqueued meanwhile waits in the broker.
    """

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=BROKER_TIMEOUT_SECONDS), repr=False
    )

    def run(self) -> None:
        seconds = self.timeout.total_seconds()
        options = {
            **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            "socket_connect_timeout": seconds,
            "socket_timeout": seconds,
        }
        connection = Connection(settings.CELERY_BROKER_URL, connect_timeout=seconds, transport_options=options)
        try:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=seconds)
        except Exception as error:
            # The message names the transport only: a broker URL can carry a password.
            raise ServiceUnavailable(f"Broker unreachable ({type(error).__name__})") from error
        finally:
            connection.release()


class HealthView(HealthCheckView):
    """The checks of a web node; a failure answers 503 Service Unavailable."""

    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        Broker,
    )

    def render_to_response(self, context, **response_kwargs):
        return self._unavailable(super().render_to_response(context, **response_kwargs))

    def render_to_response_json(self, status):
        return self._unavailable(super().render_to_response_json(status))

    def render_to_response_text(self, status):
        return self._unavailable(super().render_to_response_text(status))

    @staticmethod
    def _unavailable(response):
        if response.status_code == 500:
            response.status_code = 503
        return response
