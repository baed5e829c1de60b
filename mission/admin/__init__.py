"""The coordinators' admin for the mission's steering: targets, milestones, mandates, ceasefires and reports.

State changes with rules (adopting a mandate, ending a ceasefire, sending a report now) are actions that call
`mission.services`; an ApplicationError becomes an error message.

- `steering`: targets, milestones, mandate versions and ceasefires;
- `caveats`: national deployment authorisations (issue 18);
- `reports`: report subscriptions, stored reports, dispatches and decision digests.
- `lessons`: lessons learnt, from observed to a decision (issue 18).

Importing the package registers every model admin on `admin.site` (the `@admin.register` decorators).
"""

from .caveats import (
    AUTHORISATION_FIELDS,
    WITHDRAWAL_FIELDS,
    DeploymentAuthorisationForm,
    NationalDeploymentAuthorisationAdmin,
)
from .lessons import LessonAdmin
from .reports import (
    SUBSCRIPTION_FIELDS,
    SUBSCRIPTION_HQ_FIELDS,
    DecisionDigestAdmin,
    DispatchStateFilter,
    ProgressReportAdmin,
    ReadOnlyAdminMixin,
    ReportDispatchAdmin,
    ReportSubscriptionAdmin,
    ReportSubscriptionForm,
)
from .steering import CeasefireAdmin, MandatePositionInline, MandateVersionAdmin, MilestoneAdmin, TargetAdmin

__all__ = [
    "AUTHORISATION_FIELDS",
    "SUBSCRIPTION_FIELDS",
    "SUBSCRIPTION_HQ_FIELDS",
    "WITHDRAWAL_FIELDS",
    "CeasefireAdmin",
    "DecisionDigestAdmin",
    "DeploymentAuthorisationForm",
    "DispatchStateFilter",
    "LessonAdmin",
    "MandatePositionInline",
    "MandateVersionAdmin",
    "MilestoneAdmin",
    "NationalDeploymentAuthorisationAdmin",
    "ProgressReportAdmin",
    "ReadOnlyAdminMixin",
    "ReportDispatchAdmin",
    "ReportSubscriptionAdmin",
    "ReportSubscriptionForm",
    "TargetAdmin",
]
