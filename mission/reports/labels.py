"""The report's own words (`LABELS`), translated through the gettext catalogue, and `labels_for` one language."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

# The report's own words, translated through the catalogue (context "progress report", so that a word such as
# "Cohort" can read differently in a report than in the admin). `labels_for` resolves them in one language.
LABELS: dict[str, Promise] = {
    "mission": pgettext_lazy("progress report", "EUMAM Ukraine"),
    "title": pgettext_lazy("progress report", "Progress report"),
    "subject": pgettext_lazy("progress report", "EUMAM Ukraine progress report: %(scope)s, %(start)s to %(end)s"),
    "period": pgettext_lazy("progress report", "Period"),
    "scope": pgettext_lazy("progress report", "Scope"),
    "as_of": pgettext_lazy("progress report", "Figures as of the end of"),
    "standing": pgettext_lazy("progress report", "Where the mission stands"),
    "official_total": pgettext_lazy("progress report", "Official total trained"),
    "official_note": pgettext_lazy(
        "progress report", "Course completions in approved count returns. One person may complete several courses."
    ),
    "pending": pgettext_lazy("progress report", "Pending approval, not in the official total"),
    "returns": pgettext_lazy("progress report", "returns"),
    "unique_people": pgettext_lazy("progress report", "Unique people trained, where rosters exist"),
    "coverage": pgettext_lazy("progress report", "Rosters cover %(coverage)s of the official total."),
    "change": pgettext_lazy("progress report", "Change in this period"),
    "change_since_report": pgettext_lazy("progress report", "Change since the previous report"),
    "target": pgettext_lazy("progress report", "Target in force"),
    "progress": pgettext_lazy("progress report", "Progress"),
    "remaining": pgettext_lazy("progress report", "Remaining"),
    "milestones": pgettext_lazy("progress report", "Milestone ladder"),
    "milestone": pgettext_lazy("progress report", "Milestone"),
    "passed_on": pgettext_lazy("progress report", "Passed on"),
    "not_yet": pgettext_lazy("progress report", "not yet"),
    "scope_note": pgettext_lazy(
        "progress report", "The target and the milestone ladder are mission-wide; see the mission-wide report."
    ),
    "pace": pgettext_lazy("progress report", "Pace and forecast"),
    "run_rate": pgettext_lazy("progress report", "Run rate, trailing %(weeks)s weeks"),
    "per_week": pgettext_lazy("progress report", "per week"),
    "forecast_rate": pgettext_lazy("progress report", "Forecast from the run rate"),
    "forecast_pipeline": pgettext_lazy("progress report", "Forecast from the scheduled pipeline"),
    "no_forecast": pgettext_lazy("progress report", "not within the forecast horizon"),
    "assumptions": pgettext_lazy("progress report", "Assumptions"),
    "assumption_rate": pgettext_lazy(
        "progress report",
        "The run-rate forecast assumes that the average of the trailing %(weeks)s weeks (%(rate)s per week) continues. Nothing beyond %(years)s years is forecast.",
    ),
    "assumption_pipeline": pgettext_lazy(
        "progress report",
        "The pipeline forecast assumes that the %(cohorts)s (ending by %(until)s) complete at their course's historical completion rate, about %(expected)s completions in all. Cohorts not yet scheduled are not counted.",
    ),
    "breakdowns": pgettext_lazy("progress report", "Breakdowns"),
    "by_nation": pgettext_lazy("progress report", "By nation"),
    "by_command": pgettext_lazy("progress report", "By training command"),
    "by_academy": pgettext_lazy("progress report", "By academy or training site"),
    "by_course": pgettext_lazy("progress report", "By course"),
    "name": pgettext_lazy("progress report", "Name"),
    "trained": pgettext_lazy("progress report", "Trained"),
    "cohorts": pgettext_lazy("progress report", "Cohorts"),
    "activity": pgettext_lazy("progress report", "Activity in the period"),
    "cohorts_started": pgettext_lazy("progress report", "Cohorts started"),
    "cohorts_completed": pgettext_lazy("progress report", "Cohorts completed"),
    "seats": pgettext_lazy("progress report", "seats"),
    "cohort": pgettext_lazy("progress report", "Cohort"),
    "site": pgettext_lazy("progress report", "Site"),
    "course": pgettext_lazy("progress report", "Course"),
    "starts_on": pgettext_lazy("progress report", "Starts"),
    "trainers_needed": pgettext_lazy("progress report", "Trainers needed"),
    "trainers_assigned": pgettext_lazy("progress report", "Assigned"),
    "shortfall": pgettext_lazy("progress report", "Shortfall"),
    "chart_alt": pgettext_lazy("progress report", "Chart: cumulative trained, forecasts and milestones"),
    "chart_actual": pgettext_lazy("progress report", "Official (cumulative)"),
    "chart_rate": pgettext_lazy("progress report", "Forecast: run rate"),
    "chart_pipeline": pgettext_lazy("progress report", "Forecast: pipeline"),
    "chart_target": pgettext_lazy("progress report", "Target"),
    "footer": pgettext_lazy(
        "progress report",
        "You receive this report as a subscriber of “%(name)s”. The CSV attachment holds the breakdowns.",
    ),
    "footer_no_csv": pgettext_lazy("progress report", "You receive this report as a subscriber of “%(name)s”."),
    "csv_dimension": pgettext_lazy("progress report", "dimension"),
    "csv_key": pgettext_lazy("progress report", "key"),
    "csv_label": pgettext_lazy("progress report", "name"),
    "report_subject": pgettext_lazy("progress report", "%(scope)s: %(total)s trained · %(period)s"),
    "report_subject_next": pgettext_lazy(
        "progress report",
        "%(scope)s: %(total)s trained · next milestone %(milestone)s (%(remaining)s to go) · %(period)s",
    ),
    "attention": pgettext_lazy("progress report", "Needs attention"),
    "since": pgettext_lazy("progress report", "Since the last report (%(date)s)"),
    "since_period": pgettext_lazy("progress report", "Since the start of the period (%(date)s)"),
    "plan": pgettext_lazy("progress report", "Actual against plan"),
    "pace_table": pgettext_lazy("progress report", "Pace, per week"),
    "official": pgettext_lazy("progress report", "Official"),
    "awaiting": pgettext_lazy("progress report", "Awaiting approval"),
    "together": pgettext_lazy("progress report", "Together"),
    "weeks_window": pgettext_lazy("progress report", "last %(weeks)s weeks"),
    "stage": pgettext_lazy("progress report", "Stage"),
    "short_by": pgettext_lazy("progress report", "planned cohorts fall about %(count)s short"),
    "returns_header": pgettext_lazy("progress report", "Returns"),
    "oldest": pgettext_lazy("progress report", "Oldest, days"),
    "age_band": pgettext_lazy("progress report", "%(low)s–%(high)s days"),
    "age_band_open": pgettext_lazy("progress report", "over %(low)s days"),
    "chart_title": pgettext_lazy("progress report", "Trained: official, awaiting approval and forecast"),
    "chart_y": pgettext_lazy("progress report", "Course completions (cumulative)"),
    "chart_today": pgettext_lazy("progress report", "Today"),
    "chart_pending": pgettext_lazy("progress report", "Awaiting approval"),
    "chart_range": pgettext_lazy("progress report", "Run-rate forecast, 80% interval"),
    "chart_alt_figures": pgettext_lazy(
        "progress report",
        "Chart of the cumulative trained: %(total)s official on %(date)s, %(pending)s more awaiting approval; the forecasts rise towards the next milestone.",
    ),
    "csv_nation": pgettext_lazy("progress report", "nation"),
    "csv_command": pgettext_lazy("progress report", "training command"),
    "csv_academy": pgettext_lazy("progress report", "site"),
    "csv_course": pgettext_lazy("progress report", "course"),
    "alert_subject": pgettext_lazy("progress report", "EUMAM Ukraine passed %(value)s trained"),
    "alert_title": pgettext_lazy("progress report", "Milestone passed"),
    "alert_body": pgettext_lazy("progress report", "The official total passed the milestone “%(label)s” on %(date)s."),
    "alert_official": pgettext_lazy(
        "progress report",
        "It became official on %(date)s, when mission HQ approved the count return of cohort %(cohort)s.",
    ),
    "alert_total": pgettext_lazy("progress report", "Official total now"),
    "alert_next": pgettext_lazy("progress report", "Next milestone"),
}


def labels_for(language: str) -> dict[str, str]:
    """The report's words in `language` (English for a language we do not have)."""
    with translation.override(language):
        return {key: str(label) for key, label in LABELS.items()}
