"""A deterministic, realistic demo data set: the mission's history since Nov 2022 and its plans ahead.

The history is measured against an explicit `today` (`seed_demo --today`, by default the real today): cohorts
that ended before it are completed and reported, those around it are in training with returns still in the
approval chain, and plans run to the end of the following year (at least to the end of 2027). So the demo stays
meaningful in any year, and a test that pins `today` gets the same rows on any day.

`seed_demo()` first loads the reference data, then plans every cohort in memory and writes the rows with
`bulk_create`, inside one transaction. Bulk writes bypass model history and signals, which is what demo data
wants.

How the history is built: cohorts end on Tuesdays and Fridays (and on each dated point of the timeline). On
each such day the planner adds cohorts until the cumulative number of completions reaches the public
timeline in docs/domain.md, interpolated linearly between its dated points. The last cohort of a day is cut to
the remaining need, so the official totals track the timeline to within a few trainees. Sites are chosen so
that each nation's share matches the public figures (Poland about 35k, Germany about 21k, Spain about 8.6k
of 86k), and never past a site's seat capacity on any day. Trainers are then assigned greedily in start
order: only when free, inside one of their rotation windows and qualified for the course.

Courses change as they did after criticism from the front (issue 18): the demo adds later versions of some
courses (`DEMO_COURSE_VERSIONS`: basic soldier training with drone and air-threat hours from 2024), and each cohort
follows the version in force on its first day. From 2024 Ukrainian instructors, by opaque reference only,
co-teach a share of the staffed cohorts; they are drawn from a generator of their own, so the rest is unchanged.

Idempotence: the demo set is recognised by its cohort references, which all start with "DEMO-". If any
such cohort exists, `seed_demo()` writes nothing and returns the current counts with `skipped=True`,
whatever the scale asked for. To seed at another scale, start from an empty database.

`--scale N` multiplies the volume: N times the completions, cohorts, trainers and trainees. So that no site
is overbooked, a scale above 1 also adds N-1 benchmark replicas of every EU site.

Building stays linear in N, so that 100x (about 1.4M enrollments) builds in minutes (issue 7): each set of
replicas is planned as its own copy of the mission against the scale-1 timeline, so a cohort weighs 16 sites,
not 16 x N; a trainer search looks at a bounded number of qualified candidates; and on PostgreSQL the large
tables are written with COPY instead of INSERT. Scale 1 plans exactly as before.

A package since issue 17: `plan` (the timeline, shares and planned rows), `planner` (sites and cohorts in memory),
`records` (course versions, cohorts, returns, rosters), `staff` (trainers, assignments, Ukrainian instructors),
`services_rows` (subscriptions and national caveats, through the services), `lessons` (after-action reviews and
lessons learnt), `feedback` (the units' feedback) and `builder` (`seed_demo`, which runs them in that order).
Every name is importable from `mission.demo` as before.
"""

from .builder import _DemoBuilder, seed_demo
from .feedback import demo_unit_feedback_write
from .lessons import demo_lessons_ensure
from .plan import (
    ASSIGNMENT_CANDIDATES,
    BATCH_SIZE,
    COMPLETIONS_PER_YEAR_AHEAD,
    COURSE_WEIGHTS,
    DEMO_COURSE_VERSIONS,
    DEMO_REFERENCE_PREFIX,
    EARLIEST_PLAN_HORIZON,
    HOST_NATION_SHARES,
    MISSION_START,
    PENDING_RETURN_DAYS,
    PUBLIC_TIMELINE,
    RETURNING_TRAINEE_SHARE,
    ROSTER_SHARE,
    SMALLEST_COHORT,
    TEACHING_LANGUAGE,
    TRAINER_NATION_WEIGHTS,
    TRAINERS_PER_SCALE,
    UKRAINIAN_CO_TEACHING_SHARE,
    UKRAINIAN_INSTRUCTORS_FROM,
    UKRAINIAN_INSTRUCTORS_PER_SCALE,
    UNSTAFFED_PLANNED_SHARE,
    PlannedCohort,
    PlannedTrainer,
    Site,
    demo_timeline,
    plan_horizon,
    timeline_total,
)
from .services_rows import (
    DEMO_AUTHORISATIONS,
    DEMO_SUBSCRIPTIONS,
    demo_authorisations_ensure,
    demo_subscriptions_ensure,
)

__all__ = [
    "ASSIGNMENT_CANDIDATES",
    "BATCH_SIZE",
    "COMPLETIONS_PER_YEAR_AHEAD",
    "COURSE_WEIGHTS",
    "DEMO_AUTHORISATIONS",
    "DEMO_COURSE_VERSIONS",
    "DEMO_REFERENCE_PREFIX",
    "DEMO_SUBSCRIPTIONS",
    "EARLIEST_PLAN_HORIZON",
    "HOST_NATION_SHARES",
    "MISSION_START",
    "PENDING_RETURN_DAYS",
    "PUBLIC_TIMELINE",
    "RETURNING_TRAINEE_SHARE",
    "ROSTER_SHARE",
    "SMALLEST_COHORT",
    "TEACHING_LANGUAGE",
    "TRAINERS_PER_SCALE",
    "TRAINER_NATION_WEIGHTS",
    "UKRAINIAN_CO_TEACHING_SHARE",
    "UKRAINIAN_INSTRUCTORS_FROM",
    "UKRAINIAN_INSTRUCTORS_PER_SCALE",
    "UNSTAFFED_PLANNED_SHARE",
    "PlannedCohort",
    "PlannedTrainer",
    "Site",
    "_DemoBuilder",
    "demo_authorisations_ensure",
    "demo_lessons_ensure",
    "demo_subscriptions_ensure",
    "demo_timeline",
    "demo_unit_feedback_write",
    "plan_horizon",
    "seed_demo",
    "timeline_total",
]
