"""Every test factory, re-exported from the per-app modules (tests/<app>/factories.py) so that
`from tests.factories import CohortFactory` keeps working. New factories go in their app's module."""

from tests.academies.factories import (
    AcademyFactory,
    CourseFactory,
    NationalDeploymentAuthorisationFactory,
    NationFactory,
    OpenUkrainianAcademyFactory,
    OrganisationFactory,
    StaffMembershipFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    TrainingCommandFactory,
    UkrainianAcademyFactory,
    UserFactory,
)
from tests.mission.factories import (
    CeasefireFactory,
    MandatePositionFactory,
    MandateVersionFactory,
    MilestoneFactory,
    ReportSubscriptionFactory,
    TargetFactory,
)
from tests.trainees.factories import (
    START,
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    EnrollmentFactory,
    TraineeFactory,
    TrainerAssignmentFactory,
)

__all__ = [
    "START",
    "AcademyFactory",
    "ApprovedCountReturnFactory",
    "CeasefireFactory",
    "CohortFactory",
    "CountReturnFactory",
    "CourseFactory",
    "EnrollmentFactory",
    "MandatePositionFactory",
    "MandateVersionFactory",
    "MilestoneFactory",
    "NationFactory",
    "NationalDeploymentAuthorisationFactory",
    "OpenUkrainianAcademyFactory",
    "OrganisationFactory",
    "ReportSubscriptionFactory",
    "StaffMembershipFactory",
    "TargetFactory",
    "TraineeFactory",
    "TrainerAssignmentFactory",
    "TrainerAvailabilityFactory",
    "TrainerFactory",
    "TrainingCommandFactory",
    "UkrainianAcademyFactory",
    "UserFactory",
]
