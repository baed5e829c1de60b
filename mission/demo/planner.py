"""Planning the demo in memory: the sites (with benchmark replicas at a larger scale) and the cohorts that follow
the public timeline."""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter

from tqdm import tqdm

from academies.models import Academy
from trainees.models import Cohort

from .plan import (
    BATCH_SIZE,
    HOST_NATION_SHARES,
    MISSION_START,
    SMALLEST_COHORT,
    DemoState,
    PlannedCohort,
    Site,
    timeline_total,
)


class CohortPlanner(DemoState):
    """Plans the sites and the cohorts, drawing from `self.rng`."""

    # SITES

    def sites_build(self) -> list[Site]:
        originals = list(
            Academy.objects.filter(command__isnull=False, kind__in=[Academy.Kind.TRAINING_CENTRE, Academy.Kind.RANGE])
            .exclude(slug__contains="-replica-")
            .order_by("slug")
        )
        academies = originals + self._replicas(originals)
        others = {academy.nation_id for academy in originals} - set(HOST_NATION_SHARES)
        other_share = (1 - sum(HOST_NATION_SHARES.values())) / max(len(others), 1)
        capacity_by_nation = Counter[str]()
        for academy in academies:
            capacity_by_nation[academy.nation_id] += academy.seat_capacity
        sites = []
        for academy in academies:
            nation_share = HOST_NATION_SHARES.get(academy.nation_id, other_share)
            share = nation_share * academy.seat_capacity / capacity_by_nation[academy.nation_id]
            sites.append(Site(academy=academy, share=share, occupancy=array("i", [0] * self.days)))
        return sites

    def _replicas(self, originals: list[Academy]) -> list[Academy]:
        """Benchmark copies of the EU sites, so that N times the trainees fit without overbooking."""
        wanted = [
            Academy(
                slug=f"{academy.slug}-replica-{copy}",
                kind=academy.kind,
                name_en=f"{academy.name_en} (benchmark replica {copy})",
                name_uk=f"{academy.name_uk} (копія для навантажувального тесту {copy})",
                nation_id=academy.nation_id,
                city_en=academy.city_en,
                city_uk=academy.city_uk,
                command_id=academy.command_id,
                seat_capacity=academy.seat_capacity,
            )
            for copy in range(2, self.scale + 1)
            for academy in originals
        ]
        existing = set(
            Academy.objects.filter(slug__in=[academy.slug for academy in wanted]).values_list("slug", flat=True)
        )
        Academy.objects.bulk_create(
            [academy for academy in wanted if academy.slug not in existing], batch_size=BATCH_SIZE
        )
        return list(Academy.objects.filter(slug__in=[academy.slug for academy in wanted]).order_by("slug"))

    # COHORTS

    def _end_days(self) -> list[dt.date]:
        tuesdays_and_fridays = (
            MISSION_START + dt.timedelta(days=offset)
            for offset in range(7, self.days)
            if (MISSION_START + dt.timedelta(days=offset)).weekday() in (1, 4)
        )
        return sorted(set(tuesdays_and_fridays) | {day for day, _ in self.timeline[1:]})

    def _site_groups(self) -> list[list[Site]]:
        """The original sites, then each set of benchmark replicas: each plans one scale-1 copy of the mission."""
        groups: dict[int, list[Site]] = {}
        for site in self.sites:
            _slug, _marker, copy = site.academy.slug.rpartition("-replica-")
            groups.setdefault(int(copy) if _marker else 1, []).append(site)
        return [groups[copy] for copy in sorted(groups)]

    def cohorts_plan(self) -> None:
        end_days = self._end_days()
        groups = self._site_groups()
        for group in tqdm(groups, desc="Planning cohorts", unit="copy", disable=not self.progress or len(groups) == 1):
            total = 0
            for end_day in tqdm(
                end_days, desc="Planning cohorts", unit="day", disable=not self.progress or len(groups) > 1
            ):
                goal = timeline_total(end_day, self.timeline) * self.scale / len(groups)
                failures = 0
                while goal - total >= SMALLEST_COHORT and failures < 20:
                    planned = self._plan_one(
                        end_day=end_day, need=int(goal - total), total=total, sites=group, groups=len(groups)
                    )
                    if planned is None:
                        failures += 1
                        continue
                    total += planned.completed
                    self.cohorts.append(planned)

    def _plan_one(
        self, *, end_day: dt.date, need: int, total: int, sites: list[Site], groups: int = 1
    ) -> PlannedCohort | None:
        rng = self.rng
        course = rng.choices(self.courses, weights=self.course_weights)[0]
        starts_on = end_day - dt.timedelta(days=course.duration_days - 1)
        if starts_on < MISSION_START:
            return None
        first, last = (starts_on - MISSION_START).days, (end_day - MISSION_START).days
        seats = max(1, round(course.max_cohort_size * rng.uniform(0.7, 1.0)))
        smallest = min(seats, max(SMALLEST_COHORT, course.max_cohort_size // 2))
        # A site's share is of the whole mission; within one of `groups` copies it weighs `groups` times more.
        ranked = sorted(
            sites,
            key=lambda site: site.completed - site.share * groups * (total + seats) - rng.random() * 20,
        )
        for site in ranked:
            free = site.academy.seat_capacity - max(site.occupancy[first : last + 1])
            if free >= smallest or (free >= SMALLEST_COHORT and need < smallest):
                break
        else:
            return None
        seats = min(seats, free)
        withdrawn_rate, no_show_rate = rng.uniform(0.01, 0.05), rng.uniform(0.0, 0.03)
        no_show = round(seats * no_show_rate)
        withdrawn = round((seats - no_show) * withdrawn_rate)
        completed = seats - no_show - withdrawn
        if completed > need:
            # The day's last cohort: cut it to what the timeline still needs.
            completed = need
            withdrawn = round(completed * withdrawn_rate / (1 - withdrawn_rate))
            no_show = round((completed + withdrawn) * no_show_rate)
            seats = completed + withdrawn + no_show
        for day in range(first, last + 1):
            site.occupancy[day] += seats
        site.completed += completed
        return PlannedCohort(
            course=course,
            site=site,
            starts_on=starts_on,
            ends_on=end_day,
            seats=seats,
            enrolled=completed + withdrawn,
            completed=completed,
            withdrawn=withdrawn,
        )

    def status_of(self, planned: PlannedCohort) -> str:
        if planned.ends_on < self.today:
            return Cohort.Status.COMPLETED
        if planned.starts_on <= self.today:
            return Cohort.Status.IN_TRAINING
        return Cohort.Status.PLANNED
