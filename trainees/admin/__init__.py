"""The coordinators' admin for cohorts, trainer assignments, trainees, enrollments and count returns.

Every write goes through `trainees.services`: the forms run the service as a dry run when they validate, so
a refusal appears on the form, and `save_model` makes the real call. Actions do the same per object and turn
an ApplicationError into an error message.

- `cohorts`: the cohort list and page, the trainer finder, bulk postponing and cancelling;
- `assignments`: trainer assignments;
- `enrollments`: pseudonymous trainees and their enrollments;
- `count_returns`: count returns and their approval chain;
- `reviews`: after-action reviews of cohorts (issue 18);
- `unit_feedback`: feedback from the units and its response rate, read-only;
- `signing_keys`: the rotation record of the keys that sign training records, read-only;
- `forms` and `inlines`: what those pages share.

Importing the package registers every model admin on `admin.site` (the `@admin.register` decorators) and adds an
academy's current and coming cohorts to its page, through `academies.admin.register_academy_inline`.
"""

from academies.admin import register_academy_inline

from .assignments import TrainerAssignmentAdmin
from .cohorts import CohortAdmin, CohortStaffingFilter
from .count_returns import DECISION_DONE, CountReturnAdmin, CountReturnStateFilter
from .enrollments import EnrollmentAdmin, ExactReferenceSearchMixin, TraineeAdmin
from .forms import (
    CancellationForm,
    CohortForm,
    CountReturnForm,
    EnrollmentForm,
    FinderRoleForm,
    PostponeForm,
    RejectionForm,
    TrainerAssignmentForm,
    TrainerAssignmentInlineForm,
    assignment_replace,
)
from .inlines import AcademyCohortInline, CountReturnInline, TrainerAssignmentInline
from .reviews import AfterActionReviewAdmin, AfterActionReviewForm
from .signing_keys import SigningKeyAdmin
from .unit_feedback import UnitFeedbackAdmin

register_academy_inline(AcademyCohortInline)

__all__ = [
    "DECISION_DONE",
    "AcademyCohortInline",
    "AfterActionReviewAdmin",
    "AfterActionReviewForm",
    "CancellationForm",
    "CohortAdmin",
    "CohortForm",
    "CohortStaffingFilter",
    "CountReturnAdmin",
    "CountReturnForm",
    "CountReturnInline",
    "CountReturnStateFilter",
    "EnrollmentAdmin",
    "EnrollmentForm",
    "ExactReferenceSearchMixin",
    "FinderRoleForm",
    "PostponeForm",
    "RejectionForm",
    "SigningKeyAdmin",
    "TraineeAdmin",
    "TrainerAssignmentAdmin",
    "TrainerAssignmentForm",
    "TrainerAssignmentInline",
    "TrainerAssignmentInlineForm",
    "UnitFeedbackAdmin",
    "assignment_replace",
]
