"""Serializers of sites, courses, trainers and availability. Fields are listed explicitly; no mass assignment.

- `catalogue`: sites, courses and their versions, and states' deployment authorisations (read-only);
- `trainers`: trainers and their availability windows;
- `events`: the event feed (issue 14);
- `webhooks`: webhook endpoints, their secrets, deliveries and replays;
- `me`: who am I (/me/).

The schema's component names derive from the class names, so a class keeps its name wherever it moves.
"""

from .catalogue import (
    AcademySerializer,
    CourseSerializer,
    CourseVersionSerializer,
    CourseVersionTopicSerializer,
    DeploymentAuthorisationSerializer,
)
from .events import EVENT_EXAMPLE, EventFeedQuerySerializer, EventFeedSerializer, EventSerializer
from .me import MeSerializer
from .trainers import AVAILABILITY_EXAMPLE, TRAINER_EXAMPLE, TrainerAvailabilitySerializer, TrainerSerializer
from .webhooks import (
    SECRET_EXAMPLE,
    WEBHOOK_EXAMPLE,
    WEBHOOK_STORED,
    WebhookDeliveryQuerySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookReplayResultSerializer,
    WebhookReplaySerializer,
    WebhookSecretSerializer,
)

__all__ = [
    "AVAILABILITY_EXAMPLE",
    "EVENT_EXAMPLE",
    "SECRET_EXAMPLE",
    "TRAINER_EXAMPLE",
    "WEBHOOK_EXAMPLE",
    "WEBHOOK_STORED",
    "AcademySerializer",
    "CourseSerializer",
    "CourseVersionSerializer",
    "CourseVersionTopicSerializer",
    "DeploymentAuthorisationSerializer",
    "EventFeedQuerySerializer",
    "EventFeedSerializer",
    "EventSerializer",
    "MeSerializer",
    "TrainerAvailabilitySerializer",
    "TrainerSerializer",
    "WebhookDeliveryQuerySerializer",
    "WebhookDeliverySerializer",
    "WebhookEndpointCreatedSerializer",
    "WebhookEndpointSerializer",
    "WebhookReplayResultSerializer",
    "WebhookReplaySerializer",
    "WebhookSecretSerializer",
]
