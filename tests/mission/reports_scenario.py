"""A small hand-built mission whose every report figure was computed by hand (see the values in EXPECTED).

Two sites: Site PL (Poland, CAT-C) and Site DE (Germany, ST-C). Two courses: basic (10 trainees per trainer)
and medic (5 per trainer). The report is as of 2026-03-31, for the week 2026-03-25 to 2026-03-31.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mission.models import Milestone, Target
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    EnrollmentFactory,
    MilestoneFactory,
    NationFactory,
    TargetFactory,
    TrainerAssignmentFactory,
    TrainingCommandFactory,
)
from trainees.models import Cohort, CountReturn, TrainerAssignment

D = dt.date
AS_OF = D(2026, 3, 31)
PERIOD_START = D(2026, 3, 25)


@dataclass
class Scenario:
    site_pl: object
    site_de: object
    nation_pl: object
    nation_de: object
    command_cat: object
    command_st: object
    cohorts: dict[str, Cohort]
    returns: dict[str, CountReturn]
    milestones: list[Milestone]
    target: Target


def build_scenario() -> Scenario:
    nation_pl = NationFactory(code="PL", name_en="Poland", name_uk="Польща")
    nation_de = NationFactory(code="DE", name_en="Germany", name_uk="Німеччина")
    command_cat = TrainingCommandFactory(code="cat-c", nation=nation_pl, name_en="CAT-C", name_uk="КАТ-Ц")
    command_st = TrainingCommandFactory(code="st-c", nation=nation_de, name_en="ST-C", name_uk="СТ-Ц")
    site_pl = AcademyFactory(
        slug="site-pl", name_en="Site PL", name_uk="Полігон PL", nation=nation_pl, command=command_cat
    )
    site_de = AcademyFactory(
        slug="site-de", name_en="Site DE", name_uk="Полігон DE", nation=nation_de, command=command_st
    )
    basic = CourseFactory(code="basic", name_en="Basic", name_uk="Базовий", trainees_per_trainer=10)
    medic = CourseFactory(code="medic", name_en="Medic", name_uk="Медик", trainees_per_trainer=5)

    def cohort(ref, course, site, start, end, seats, **extra):
        return CohortFactory(
            reference=ref, course=course, academy=site, starts_on=start, ends_on=end, seats=seats, **extra
        )

    cohorts = {
        "C1": cohort("C1", basic, site_pl, D(2026, 1, 5), D(2026, 2, 6), 100, status=Cohort.Status.COMPLETED),
        "C2": cohort("C2", medic, site_de, D(2026, 2, 2), D(2026, 3, 6), 50, status=Cohort.Status.COMPLETED),
        "C3": cohort(
            "C3", medic, site_pl, D(2026, 3, 2), D(2026, 3, 27), 4, status=Cohort.Status.COMPLETED, has_roster=True
        ),
        "C4": cohort("C4", basic, site_de, D(2026, 3, 9), D(2026, 3, 27), 35, status=Cohort.Status.COMPLETED),
        "C5": cohort("C5", basic, site_pl, D(2026, 4, 6), D(2026, 5, 8), 100),
        "C6": cohort("C6", medic, site_de, D(2026, 4, 13), D(2026, 5, 22), 50),
        "C7": cohort("C7", medic, site_pl, D(2026, 4, 20), D(2026, 4, 24), 5),
        "C8": cohort("C8", basic, site_pl, D(2026, 6, 15), D(2026, 7, 17), 100),
        "C9": cohort("C9", basic, site_de, D(2026, 3, 30), D(2026, 4, 30), 40, status=Cohort.Status.IN_TRAINING),
        # Cancelled cohorts count nowhere: not in activity, pipeline or staffing gaps.
        "CX": cohort("CX", basic, site_pl, D(2026, 3, 26), D(2026, 4, 20), 80, status=Cohort.Status.CANCELLED),
    }
    r1 = ApprovedCountReturnFactory(cohort=cohorts["C1"], as_of=D(2026, 2, 6), enrolled=100, completed=90, withdrawn=5)
    returns = {
        "C1": r1,
        "C2": ApprovedCountReturnFactory(
            cohort=cohorts["C2"], as_of=D(2026, 3, 6), enrolled=50, completed=40, withdrawn=10
        ),
        "C3": ApprovedCountReturnFactory(
            cohort=cohorts["C3"], as_of=D(2026, 3, 27), enrolled=4, completed=3, withdrawn=1
        ),
        # Pending: a first return for C4, and a correction of C1 that would add 2.
        "C4": CountReturnFactory(cohort=cohorts["C4"], as_of=D(2026, 3, 27), enrolled=35, completed=30, withdrawn=2),
        "C1-correction": CountReturnFactory(
            cohort=cohorts["C1"], as_of=D(2026, 2, 6), enrolled=100, completed=92, withdrawn=5, supersedes=r1
        ),
        # A rejected return never counts.
        "C2-rejected": CountReturnFactory(
            cohort=cohorts["C2"],
            as_of=D(2026, 3, 6),
            enrolled=50,
            completed=50,
            withdrawn=0,
            state=CountReturn.State.REJECTED,
            rejection_reason="Does not match the roster.",
        ),
    }
    for index in range(3):
        EnrollmentFactory(cohort=cohorts["C3"], trainee__reference=f"UA-ROSTER-{index}", status="completed")
    EnrollmentFactory(cohort=cohorts["C3"], trainee__reference="UA-ROSTER-9", status="withdrawn")

    # Staffing: C5 has two instructors and an interpreter (needs 10); C7 has the one it needs.
    TrainerAssignmentFactory(cohort=cohorts["C5"])
    TrainerAssignmentFactory(cohort=cohorts["C5"])
    TrainerAssignmentFactory(cohort=cohorts["C5"], role=TrainerAssignment.Role.INTERPRETER)
    TrainerAssignmentFactory(cohort=cohorts["C7"])

    TargetFactory(value=120, in_force_from=D(2025, 1, 1), label="120 trained")
    target = TargetFactory(value=150, in_force_from=D(2026, 1, 1), label="150 trained")
    milestones = [MilestoneFactory(value=100), MilestoneFactory(value=200)]
    return Scenario(
        site_pl=site_pl,
        site_de=site_de,
        nation_pl=nation_pl,
        nation_de=nation_de,
        command_cat=command_cat,
        command_st=command_st,
        cohorts=cohorts,
        returns=returns,
        milestones=milestones,
        target=target,
    )
