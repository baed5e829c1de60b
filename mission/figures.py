"""The figures of progress, defined once: what `/progress/` returns, what a report stores and what both render.

`ProgressFigures` is the payload of one progress computation (`selectors.Progress.figures()`); `ReportFigures` is
what a `ProgressReport` stores: those figures, the chart's series, the change since the previous report and the
briefing. Both are frozen dataclasses with typed parts. `to_payload()` gives the JSON that is returned or stored
(dates as ISO strings); `from_payload()` reads it back. The API's progress serializer is generated from these
classes (`mission.api.serializers`), so the documented shape cannot drift from the returned one.

A stored copy carries `"version": FIGURES_VERSION`. Reports stored before the version existed have none and are
version 1; `ReportFigures.from_payload` upgrades an older payload step by step (`UPGRADES`) before reading it, so a
report stored years ago re-renders (a retried dispatch, the admin) exactly as it was first sent. Changing the shape
means: bump FIGURES_VERSION and add the upgrade from the previous version.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django.utils.translation import gettext_lazy as _

FIGURES_VERSION = 2

T = TypeVar("T")


# THE PARTS
# Field metadata `help_text` and `choices` go to the API's schema; field order is the payload's key order.


@dataclass(frozen=True)
class ScopeFigures:
    """Which part of the mission the figures cover."""

    kind: str = field(metadata={"choices": ("mission", "nation", "command", "academy")})
    value: Any = field(metadata={"help_text": _("The nation code, command id or academy id; null.")})
    label: str


@dataclass(frozen=True)
class OfficialFigures:
    trained: int
    enrolled: int
    withdrawn: int
    counts: str


@dataclass(frozen=True)
class PendingFigures:
    trained: int
    returns: int


@dataclass(frozen=True)
class UniquePeopleFigures:
    trained: int
    roster_completions: int
    coverage: float


@dataclass(frozen=True)
class TargetFigures:
    value: int
    label: str
    label_uk: str
    in_force_from: dt.date
    source: str
    progress: float
    remaining: int


@dataclass(frozen=True)
class MilestoneFigures:
    value: int
    label: str
    label_uk: str
    reached: bool
    passed_on: dt.date | None
    remaining: int
    progress: float
    forecast_by_run_rate: dt.date | None
    forecast_by_pipeline: dt.date | None


@dataclass(frozen=True)
class BreakdownRow:
    key: str | None
    label: str | None
    label_uk: str | None
    trained: int
    cohorts: int


@dataclass(frozen=True)
class MonthFigures:
    month: str
    trained: int


@dataclass(frozen=True)
class Breakdowns:
    nation: tuple[BreakdownRow, ...] = ()
    command: tuple[BreakdownRow, ...] = ()
    academy: tuple[BreakdownRow, ...] = ()
    course: tuple[BreakdownRow, ...] = ()
    month: tuple[MonthFigures, ...] = field(
        default=(), metadata={"help_text": _("Official completions per month (not cumulative).")}
    )

    DIMENSIONS: ClassVar[tuple[str, ...]] = ("nation", "command", "academy", "course")

    def rows(self, dimension: str) -> tuple[BreakdownRow, ...]:
        rows: tuple[BreakdownRow, ...] = getattr(self, dimension)
        return rows


@dataclass(frozen=True)
class ForecastFigures:
    """The assumptions of both forecasts."""

    run_rate_window_weeks: int = 13
    run_rate_per_week: float = 0.0
    pipeline_cohorts: int = 0
    pipeline_expected_completions: int = 0
    pipeline_until: dt.date | None = None
    horizon_years: int = 10


@dataclass(frozen=True)
class PeriodFigures:
    start: dt.date
    end: dt.date
    previous_total: int
    change: int


@dataclass(frozen=True)
class CohortActivity:
    started: int
    started_seats: int
    completed: int
    completed_seats: int


@dataclass(frozen=True)
class StaffingGap:
    cohort: str
    academy: str
    academy_uk: str
    course: str
    course_name: str
    course_name_uk: str
    starts_on: dt.date
    ends_on: dt.date
    seats: int
    trainers_needed: int
    trainers_assigned: int
    shortfall: int


@dataclass(frozen=True)
class ProgressFigures:
    """The figures of progress on one day, for one scope: the `/progress/` response and the core of a report."""

    scope: ScopeFigures
    as_of: dt.date
    official: OfficialFigures
    pending: PendingFigures
    unique_people: UniquePeopleFigures
    target: TargetFigures | None
    milestones: tuple[MilestoneFigures, ...]
    run_rates_per_week: dict[str, float]
    breakdowns: Breakdowns
    monthly_cumulative: tuple[MonthFigures, ...]
    completion_rates: dict[str, float]
    forecast: ForecastFigures
    period: PeriodFigures | None
    cohort_activity: CohortActivity | None
    staffing_gaps: tuple[StaffingGap, ...]

    @property
    def mission_scope(self) -> bool:
        return self.scope.kind == "mission"

    def coming_milestones(self) -> list[MilestoneFigures]:
        return [row for row in self.milestones if not row.reached]

    def milestone(self, value: int) -> MilestoneFigures | None:
        return next((row for row in self.milestones if row.value == value), None)

    def to_payload(self) -> dict[str, Any]:
        return dump(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ProgressFigures:
        return load(cls, payload)


@dataclass(frozen=True)
class ChartSeries:
    """What the report's chart draws: the cumulative official series and the pipeline's expected cumulative."""

    actual: tuple[tuple[dt.date, int], ...] = ()
    pipeline: tuple[tuple[dt.date, float], ...] = ()
    rate_per_week: float = 0.0


@dataclass(frozen=True)
class PreviousReport:
    generated_at: dt.datetime
    official_trained: int
    change: int


@dataclass(frozen=True)
class ReportFigures:
    """What a progress report stores: the progress figures, the chart, the previous report and the briefing.

    The briefing is `mission.briefing.Briefing` (typed there, with its own version); it is None in a report stored
    before issue 16, which renders without it.
    """

    progress: ProgressFigures
    chart: ChartSeries = ChartSeries()
    previous_report: PreviousReport | None = None
    briefing: dict[str, Any] | None = None

    def to_payload(self) -> dict[str, Any]:
        """The stored JSON: the progress figures at the top level (as `/progress/` gives them), then the rest."""
        return {
            "version": FIGURES_VERSION,
            **self.progress.to_payload(),
            "chart": dump(self.chart),
            "previous_report": dump(self.previous_report),
            "briefing": copy.deepcopy(self.briefing),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ReportFigures:
        """Read a stored payload of any version, upgrading it to the current shape first."""
        current = upgrade(payload)
        return cls(
            progress=ProgressFigures.from_payload(current),
            chart=load(ChartSeries, current.get("chart") or {}),
            previous_report=load(PreviousReport, current["previous_report"])
            if current.get("previous_report")
            else None,
            briefing=copy.deepcopy(current.get("briefing")) or None,
        )

    @classmethod
    def of(cls, figures: ReportFigures | Mapping[str, Any]) -> ReportFigures:
        """The typed figures, from themselves or from a stored payload."""
        return figures if isinstance(figures, ReportFigures) else cls.from_payload(figures)


# VERSIONS


def stored_version(payload: Mapping[str, Any]) -> int:
    """The version of a stored payload: version 1 carried none."""
    return int(payload.get("version", 1))


def _upgrade_1_to_2(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1: the untyped dict of `Progress.as_dict()` plus "chart", "previous_report" and "briefing", each
    added over time, so an old report may lack any of them and the parts added with them (Ukrainian labels,
    the forecast's assumptions, the period, the cohort activity, the staffing gaps). Fill in what the
    renderers used to assume for a missing key, so that the report renders as it did."""
    payload.setdefault("target", None)
    if payload["target"] is not None:
        payload["target"].setdefault("label_uk", "")
        payload["target"].setdefault("source", "")
    for row in payload.setdefault("milestones", []):
        row.setdefault("label_uk", "")
        for key in ("passed_on", "forecast_by_run_rate", "forecast_by_pipeline"):
            row[key] = row.get(key) or None
    payload.setdefault("run_rates_per_week", {})
    breakdowns = payload.setdefault("breakdowns", {})
    for dimension in (*Breakdowns.DIMENSIONS, "month"):
        breakdowns.setdefault(dimension, [])
    for dimension in Breakdowns.DIMENSIONS:
        for row in breakdowns[dimension]:
            row.setdefault("label_uk", None)
    payload.setdefault("monthly_cumulative", [])
    payload.setdefault("completion_rates", {})
    defaults = dump(ForecastFigures())
    payload["forecast"] = {**defaults, **(payload.get("forecast") or {})}
    payload.setdefault("period", None)
    payload.setdefault("cohort_activity", None)
    for gap in payload.setdefault("staffing_gaps", []):
        gap.setdefault("academy_uk", "")
        gap.setdefault("course_name", "")
        gap.setdefault("course_name_uk", "")
    payload["chart"] = {**dump(ChartSeries()), **(payload.get("chart") or {})}
    payload.setdefault("previous_report", None)
    payload["briefing"] = payload.get("briefing") or None
    payload["version"] = 2
    return payload


# version -> the function that turns a payload of that version into one of the next
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upgrade_1_to_2}


def upgrade(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the stored payload in the current version's shape (the stored row itself is never changed)."""
    version = stored_version(payload)
    if version > FIGURES_VERSION:
        raise ValueError(f"stored figures of version {version} are newer than this code ({FIGURES_VERSION})")
    current = copy.deepcopy(dict(payload))
    while version < FIGURES_VERSION:
        current = UPGRADES[version](current)
        version += 1
    return current


# THE CODEC
# One generic pair, driven by the dataclasses' type hints: nested dataclasses, optional parts, tuples (of any
# length, or fixed like a chart point), string-keyed dicts, dates and date-times. Numbers are passed through as
# they are, never coerced: an int stored where a float is typed renders as it was first rendered.


# Values that are their own JSON form. Exact types only: a subclass (a lazy string, an IntEnum) takes the general path.
_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a figures dataclass, read once per class: a scope's payload holds thousands of rows."""
    return tuple(item.name for item in dataclasses.fields(cls))


def dump(value: Any) -> Any:
    """The JSON form of a figures value."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if dataclasses.is_dataclass(kind):
        return {name: dump(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value


def load(cls: type[T], payload: Any) -> T:
    """The figures value of type `cls` read from its JSON form."""
    return typing.cast(T, _load(cls, payload))


def hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a figures dataclass."""
    return typing.get_type_hints(cls)


def optional_of(annotation: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed) of an annotation such as `X | None`."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        return (members[0] if len(members) == 1 else Any), len(members) < len(typing.get_args(annotation))
    return annotation, False


def _load(annotation: Any, value: Any) -> Any:
    annotation, nullable = optional_of(annotation)
    if value is None and (nullable or annotation is Any):
        return None
    if annotation is Any:
        return copy.deepcopy(value)
    if dataclasses.is_dataclass(annotation):
        types_of = hints(annotation)  # type: ignore[arg-type]
        return annotation(  # type: ignore[operator]
            **{
                item.name: _load(types_of[item.name], value[item.name])
                for item in dataclasses.fields(annotation)
                if item.name in value
            }
        )
    if annotation is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if annotation is dt.date:
        return dt.date.fromisoformat(value)
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_load(arguments[0], item) for item in value)
        return tuple(_load(kind, item) for kind, item in zip(arguments, value, strict=True))
    if origin is dict:
        return {key: _load(arguments[1], item) for key, item in value.items()}
    return value
