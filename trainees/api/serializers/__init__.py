"""Serializers of cohorts, assignments, trainees, enrollments and count returns.

Fields are listed explicitly. Server-owned fields (approval state, who submitted, audit times, flags) are
read-only, so a client cannot set them; related objects are limited to the caller's scope.

- `cohorts`: the cohort, and the fast representation of a list page;
- `assignments`: the trainer finder's ranked rows (issue 15) and trainer assignments;
- `records`: trainees, enrollments, count returns and a return's rejection;
- `bulk`: bulk writes of returns and enrollments, and `parse_items`, which checks each item on its own;
- `upsert`: upserts of cohorts and assignments by natural key, and their answer.

The schema's component names derive from the class names, so a class keeps its name wherever it moves.
"""

from .assignments import (
    ASSIGNMENT_EXAMPLE,
    EligibleTrainerPageSerializer,
    EligibleTrainerSerializer,
    EligibleTrainersQuerySerializer,
    TrainerAssignmentSerializer,
)
from .bulk import (
    BulkResultSerializer,
    CountReturnBulkSerializer,
    CountReturnItemSerializer,
    EnrollmentBulkSerializer,
    EnrollmentItemSerializer,
    parse_items,
)
from .cohorts import COHORT_EXAMPLE, CohortSerializer
from .records import (
    COUNT_RETURN_EXAMPLE,
    ENROLLMENT_EXAMPLE,
    CountReturnSerializer,
    EnrollmentSerializer,
    RejectionSerializer,
    TraineeSerializer,
)
from .upsert import (
    ASSIGNMENT_UPSERT_ITEMS,
    COHORT_UPSERT_ITEMS,
    AssignmentUpsertItemSerializer,
    CohortUpsertItemSerializer,
    CohortUpsertSerializer,
    TrainerAssignmentUpsertSerializer,
    UpsertItemErrorSerializer,
    UpsertItemResultSerializer,
    UpsertResultSerializer,
    upsert_answer,
)

__all__ = [
    "ASSIGNMENT_EXAMPLE",
    "ASSIGNMENT_UPSERT_ITEMS",
    "COHORT_EXAMPLE",
    "COHORT_UPSERT_ITEMS",
    "COUNT_RETURN_EXAMPLE",
    "ENROLLMENT_EXAMPLE",
    "AssignmentUpsertItemSerializer",
    "BulkResultSerializer",
    "CohortSerializer",
    "CohortUpsertItemSerializer",
    "CohortUpsertSerializer",
    "CountReturnBulkSerializer",
    "CountReturnItemSerializer",
    "CountReturnSerializer",
    "EligibleTrainerPageSerializer",
    "EligibleTrainerSerializer",
    "EligibleTrainersQuerySerializer",
    "EnrollmentBulkSerializer",
    "EnrollmentItemSerializer",
    "EnrollmentSerializer",
    "RejectionSerializer",
    "TraineeSerializer",
    "TrainerAssignmentSerializer",
    "TrainerAssignmentUpsertSerializer",
    "UpsertItemErrorSerializer",
    "UpsertItemResultSerializer",
    "UpsertResultSerializer",
    "parse_items",
    "upsert_answer",
]
