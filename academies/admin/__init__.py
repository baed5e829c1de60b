"""The coordinators' admin for sites, courses, trainers and partner organisations.

Higher apps add inlines to an academy's page through `register_academy_inline` (trainees adds its cohorts), since
this app never imports them: `AcademyAdmin.get_inlines` reads that registry on each request.

- `sites`: nations, training commands, academies, and that registry;
- `courses`: courses, topics and course versions;
- `trainers`: trainers and their availability;
- `organisations`: partner organisations, API keys, idempotency records and staff memberships;
- events and webhooks have their own module, `academies.admin_events`.

Importing the package registers every model admin on `admin.site` (the `@admin.register` decorators).
"""

from .. import admin_events  # noqa: F401  (registers the events' and webhooks' admins)
from .courses import (
    CourseAdmin,
    CourseVersionAdmin,
    CourseVersionForm,
    CourseVersionInline,
    CourseVersionTopicInline,
    TopicAdmin,
)
from .organisations import (
    IdempotencyRecordAdmin,
    OrganisationAdmin,
    OrganisationAPIKeyAdmin,
    OrganisationAPIKeyInline,
    StaffMembershipAdmin,
)
from .sites import (
    ACADEMY_RELATED_INLINES,
    AcademyAdmin,
    AcademyAliasInline,
    NationAdmin,
    TrainingCommandAdmin,
    register_academy_inline,
)
from .trainers import (
    ServiceDeleteAdminMixin,
    TrainerAdmin,
    TrainerAvailabilityAdmin,
    TrainerAvailabilityForm,
    TrainerAvailabilityInline,
    TrainerForm,
)

__all__ = [
    "ACADEMY_RELATED_INLINES",
    "AcademyAdmin",
    "AcademyAliasInline",
    "CourseAdmin",
    "CourseVersionAdmin",
    "CourseVersionForm",
    "CourseVersionInline",
    "CourseVersionTopicInline",
    "IdempotencyRecordAdmin",
    "NationAdmin",
    "OrganisationAPIKeyAdmin",
    "OrganisationAPIKeyInline",
    "OrganisationAdmin",
    "ServiceDeleteAdminMixin",
    "StaffMembershipAdmin",
    "TopicAdmin",
    "TrainerAdmin",
    "TrainerAvailabilityAdmin",
    "TrainerAvailabilityForm",
    "TrainerAvailabilityInline",
    "TrainerForm",
    "TrainingCommandAdmin",
    "register_academy_inline",
]
