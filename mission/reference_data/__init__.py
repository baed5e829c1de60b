"""The mission's reference data as plain structures: nations, commands, sites, courses, targets and mandates.

`manage.py load_reference_data` writes these into the database, keyed on each row's natural key. The EU host
sites are illustrative examples; the Ukrainian institutions, the timeline of targets and the mandates follow
the public sources named in docs and in each row's `source`.

- `organisations`: nations, the training commands and the partner organisations;
- `sites`: the EU host sites, the Ukrainian institutions and the academies' aliases;
- `courses`: topics and the course catalogue;
- `mandates`: targets, milestones and mandate versions.
"""

from .courses import COURSES, TOPICS
from .mandates import DRAFT_MANDATES, MANDATES, MILESTONES, TARGETS
from .organisations import EU_MEMBER_STATES, ORGANISATIONS, THIRD_STATES, TRAINING_COMMANDS
from .sites import ACADEMY_ALIASES, EU_SITES, UKRAINIAN_INSTITUTIONS

__all__ = [
    "ACADEMY_ALIASES",
    "COURSES",
    "DRAFT_MANDATES",
    "EU_MEMBER_STATES",
    "EU_SITES",
    "MANDATES",
    "MILESTONES",
    "ORGANISATIONS",
    "TARGETS",
    "THIRD_STATES",
    "TOPICS",
    "TRAINING_COMMANDS",
    "UKRAINIAN_INSTITUTIONS",
]
