"""Writes for cohorts, trainer assignments, enrollments and count returns, re-exported from one module per concern.

Every function runs inside one transaction and checks the domain's rules before it saves. Rules that the database
also holds (constraints) are checked first, so that the caller sees a clear message.

- `cohorts`: planning cohorts (size, site status, capacity over time) and assigning trainers;
- `returns`: enrollments, count returns and their approval chain;
- `cohort_batch`: the cohort admin's all-or-nothing postponing and cancelling;
- `bulk`: the partner API's all-or-nothing bulk writes;
- `upsert`: the partner API's upserts by natural key, through the one-object services;
- `lifecycle`: a cohort's status follows its dates (the check of every write, and the daily follower);
- `reviews`: after-action reviews of cohorts that have ended (issue 18).
- `unit_feedback`: feedback from the units at 4 and 12 weeks (import it from there).
- `signing_keys`: the rotation record of the keys that sign training records (issue 18).
"""

from ..querysets import RATIO_ROLES
from .bulk import (
    BULK_MAX_ITEMS,
    CountReturnItem,
    EnrollmentItem,
    count_return_item_errors,
    count_return_submit_bulk,
    enrollment_record_bulk,
)
from .cohort_batch import BATCH_MAX_COHORTS, POSTPONE_MAX_DAYS, cohort_cancel_bulk, cohort_postpone_bulk
from .cohorts import (
    AssignmentResult,
    cohort_flag_clear,
    cohort_language_warnings,
    cohort_schedule,
    cohort_staffing,
    cohort_update,
    peak_seats,
    trainer_assign,
    trainer_assignment_update,
    trainer_unassign,
    trainers_needed,
)
from .lifecycle import cohort_status_check, cohort_status_follow_dates, status_by_dates
from .returns import (
    DECISION_STEPS,
    count_return_allowed_steps,
    count_return_approve,
    count_return_reject,
    count_return_submit,
    count_return_verify,
    count_returns_awaiting_step,
    enrollment_record,
)
from .reviews import review_file
from .signing_keys import signing_key_register
from .upsert import (
    UPSERT_MAX_ITEMS,
    AssignmentUpsertItem,
    CohortUpsertItem,
    InvalidItem,
    ItemError,
    UpsertResult,
    cohort_upsert_bulk,
    trainer_assignment_upsert_bulk,
)

__all__ = [
    "BATCH_MAX_COHORTS",
    "BULK_MAX_ITEMS",
    "DECISION_STEPS",
    "POSTPONE_MAX_DAYS",
    "RATIO_ROLES",
    "UPSERT_MAX_ITEMS",
    "AssignmentResult",
    "AssignmentUpsertItem",
    "CohortUpsertItem",
    "CountReturnItem",
    "EnrollmentItem",
    "InvalidItem",
    "ItemError",
    "UpsertResult",
    "cohort_cancel_bulk",
    "cohort_flag_clear",
    "cohort_language_warnings",
    "cohort_postpone_bulk",
    "cohort_schedule",
    "cohort_staffing",
    "cohort_status_check",
    "cohort_status_follow_dates",
    "cohort_update",
    "cohort_upsert_bulk",
    "count_return_allowed_steps",
    "count_return_approve",
    "count_return_item_errors",
    "count_return_reject",
    "count_return_submit",
    "count_return_submit_bulk",
    "count_return_verify",
    "count_returns_awaiting_step",
    "enrollment_record",
    "enrollment_record_bulk",
    "peak_seats",
    "review_file",
    "signing_key_register",
    "status_by_dates",
    "trainer_assign",
    "trainer_assignment_update",
    "trainer_assignment_upsert_bulk",
    "trainer_unassign",
    "trainers_needed",
]
