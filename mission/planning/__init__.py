"""Planning views for coordinators: staffing gaps, rotations, site utilisation, a what-if forecast, gating.

Reads only. Each selector runs a fixed number of queries, whatever the number of cohorts or sites. Callers
that serve a partner pass a queryset already scoped with `visible_to(organisation)`.

- `schedule`: staffing gaps, the rotation calendar and site utilisation;
- `what_if`: the what-if forecast and scenario;
- `ukraine`: the gating status of training inside Ukraine and national caveats.
"""

from .schedule import (
    DEFAULT_WEEKS,
    RotationEntry,
    SiteWeek,
    StaffingGap,
    rotation_calendar,
    site_utilisation,
    staffing_gaps,
)
from .ukraine import NationalAuthorisation, assignments_at_risk, national_authorisations, ukraine_gating_status
from .what_if import (
    EXTRA_COHORT_END_DAY,
    SCENARIO_MONTHS,
    MilestoneProjection,
    WhatIfInputs,
    WhatIfScenario,
    sites_in,
    what_if_forecast,
    what_if_scenario,
)

__all__ = [
    "DEFAULT_WEEKS",
    "EXTRA_COHORT_END_DAY",
    "SCENARIO_MONTHS",
    "MilestoneProjection",
    "NationalAuthorisation",
    "RotationEntry",
    "SiteWeek",
    "StaffingGap",
    "WhatIfInputs",
    "WhatIfScenario",
    "assignments_at_risk",
    "national_authorisations",
    "rotation_calendar",
    "site_utilisation",
    "sites_in",
    "staffing_gaps",
    "ukraine_gating_status",
    "what_if_forecast",
    "what_if_scenario",
]
