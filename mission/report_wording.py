"""The report's sentences and its localised figures: numbers, dates and plurals in the reader's language.

Called inside `translation.override(language)` by `mission.reports`. Every sentence is one catalogue entry with
named placeholders (context "progress report"), so a translator sees the whole thought and can reorder it; counts
go through `npgettext`, which picks the right one of Ukrainian's plural forms. Figures are formatted so that they
never break across lines: a narrow no-break space groups Ukrainian thousands and a no-break space joins a date's
parts.
"""

from __future__ import annotations

import datetime as dt

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, npgettext, pgettext

from academies.models import Academy

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
CONTEXT = "progress report"


def number(value: float | int | None, language: str) -> str:
    """80,000 in English; 80 000 (narrow no-break space) in Ukrainian."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",") if language == "uk" else text


def percent(value: float, language: str) -> str:
    text = f"{value * 100:.1f}"
    return (text.replace(".", ",") if language == "uk" else text) + "%"


def day(value: str | dt.date | None, language: str) -> str:
    """2 Dec 2026 in English, 2 грудня 2026 in Ukrainian, joined by no-break spaces; "–" for no date."""
    if not value:
        return "–"
    when = dt.date.fromisoformat(value) if isinstance(value, str) else value
    text = date_format(when, "j E Y" if language == "uk" else "j M Y")
    return text.replace(" ", NBSP)


def day_range(start: str | dt.date | None, end: str | dt.date | None, language: str) -> str:
    return f"{day(start, language)}{NBSP}–{NBSP}{day(end, language)}"


def label(row: dict, language: str, key: str = "label") -> str:
    """A bilingual label from the data (`label` / `label_uk`), English where no Ukrainian was given."""
    return (language == "uk" and row.get(f"{key}_uk")) or row.get(key) or "–"


def bilingual(english: str | None, ukrainian: str | None, language: str) -> str:
    """A label from the data in both languages, English where no Ukrainian was given."""
    return (language == "uk" and ukrainian) or english or "–"


# Counted nouns: (singular, plural) with `%(count)s`; the catalogue holds all four Ukrainian forms of each.
PLURALS: dict[str, tuple[str, str]] = {
    "returns": ("%(count)s return", "%(count)s returns"),
    "cohorts": ("%(count)s cohort", "%(count)s cohorts"),
    "planned_cohorts": ("%(count)s planned cohort", "%(count)s planned cohorts"),
    "trainers": ("%(count)s trainer", "%(count)s trainers"),
    "seats": ("%(count)s seat", "%(count)s seats"),
    "days": ("%(count)s day", "%(count)s days"),
    "approvals": ("%(count)s approval", "%(count)s approvals"),
    "corrections": ("%(count)s correction", "%(count)s corrections"),
    "dispatches": ("%(count)s report could not be delivered", "%(count)s reports could not be delivered"),
    "sites": ("%(count)s site", "%(count)s sites"),
}


def counted(noun: str, value: int, language: str) -> str:
    """`value` with its noun in the plural form the language needs ("1 cohort", "2 групи", "5 груп")."""
    singular, plural = PLURALS[noun]
    return npgettext(CONTEXT, singular, plural, value) % {"count": number(value, language)}


def signed(value: int | None, language: str) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + number(value, language)


def signed_days(value: int, language: str) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + counted("days", abs(value), language)


# SENTENCES


def _(message: str) -> str:
    return pgettext(CONTEXT, message)


def lead(briefing: dict, *, scope_label: str, mission_scope: bool, language: str) -> list[str]:
    """Two sentences: where the total stands and what it passed; what comes next, when, and whether the plan
    reaches it."""
    return [_standing(briefing["lead"], scope_label, language), _outlook(briefing["lead"], mission_scope, language)]


def _standing(figures: dict, scope_label: str, language: str) -> str:
    values = {
        "scope": scope_label,
        "total": number(figures["total"], language),
        "pending": number(figures["pending"], language),
    }
    passed = figures["last_passed"]
    if passed is None:
        return _("%(scope)s has trained %(total)s (official); %(pending)s more await approval.") % values
    return _(
        "%(scope)s has trained %(total)s (official), passing %(milestone)s on %(date)s; %(pending)s more await approval."
    ) % {**values, "milestone": number(passed["value"], language), "date": day(passed["passed_on"], language)}


def _outlook(figures: dict, mission_scope: bool, language: str) -> str:
    planned = counted("planned_cohorts", figures["pipeline_cohorts"], language)
    coming = figures["next"]
    if coming is None:
        pipeline = {
            "planned": planned,
            "expected": number(figures["pipeline_expected"], language),
            "until": day(figures["pipeline_until"], language),
        }
        if mission_scope:
            return (
                _("Every milestone of the ladder is passed; the %(planned)s would add about %(expected)s by %(until)s.")
                % pipeline
            )
        return _("The %(planned)s would add about %(expected)s by %(until)s.") % pipeline
    weeks = figures.get("window_weeks", 13)
    interval = coming["interval"]
    if coming["forecast"] and interval:
        when = _(
            "at the pace of the last %(weeks)s weeks it is forecast for %(date)s (%(level)s interval %(early)s to %(late)s, from the variability of weekly completions)"
        ) % {
            "weeks": weeks,
            "date": day(coming["forecast"], language),
            "level": f"{round(interval['level'] * 100)}%",
            "early": day(interval["early"], language),
            "late": day(interval["late"], language),
        }
    else:
        when = _("without official completions in the last %(weeks)s weeks there is no forecast") % {"weeks": weeks}
    if coming["pipeline_shortfall"] > 0:
        plan = _("the %(planned)s fall about %(shortfall)s short of it") % {
            "planned": planned,
            "shortfall": number(coming["pipeline_shortfall"], language),
        }
    else:
        plan = _("the %(planned)s reach it by %(date)s") % {
            "planned": planned,
            "date": day(coming["pipeline_date"], language),
        }
    return _("The next milestone, %(milestone)s, is %(remaining)s away: %(when)s, and %(plan)s.") % {
        "milestone": number(coming["value"], language),
        "remaining": number(coming["remaining"], language),
        "when": when,
        "plan": plan,
    }


# A report stored before it recorded its staffing horizon was made with this one.
STORED_HORIZON_WEEKS = 8


def horizon_weeks(staffing: dict | None) -> int:
    """The staffing horizon a report speaks of: the one stored with its figures, else the one it was made with."""
    return int((staffing or {}).get("horizon_weeks", STORED_HORIZON_WEEKS))


def staffing_title(weeks: int) -> str:
    return npgettext(
        CONTEXT, "Staffing gaps in the next %(weeks)s week", "Staffing gaps in the next %(weeks)s weeks", weeks
    ) % {"weeks": weeks}


def no_gaps(weeks: int) -> str:
    return npgettext(
        CONTEXT,
        "No cohort in the next %(weeks)s week lacks trainers.",
        "No cohort in the next %(weeks)s weeks lacks trainers.",
        weeks,
    ) % {"weeks": weeks}


def staffing_summary(staffing: dict, language: str) -> str:
    weeks = horizon_weeks(staffing)
    if not staffing["cohorts"]:
        return no_gaps(weeks)
    text = npgettext(
        CONTEXT,
        "%(cohorts)s short of %(trainers)s in the next %(weeks)s week",
        "%(cohorts)s short of %(trainers)s in the next %(weeks)s weeks",
        weeks,
    ) % {
        "cohorts": counted("cohorts", staffing["cohorts"], language),
        "trainers": counted("trainers", staffing["shortfall"], language),
        "weeks": weeks,
    }
    if staffing["urgent"]:
        text += "; " + npgettext(
            CONTEXT,
            "%(count)s starts within %(weeks)s weeks with none assigned",
            "%(count)s start within %(weeks)s weeks with none assigned",
            staffing["urgent"],
        ) % {"count": number(staffing["urgent"], language), "weeks": staffing["urgent_weeks"]}
    return text + "."


def backlog_summary(backlog: list[dict], language: str) -> str:
    if not backlog:
        return _("No count return is waiting for approval.")
    parts = [
        _("%(returns)s %(stage)s (%(trained)s trained, the oldest %(age)s old)")
        % {
            "returns": counted("returns", row["returns"], language),
            "stage": stage_name(row["stage"]),
            "trained": number(row["trained"], language),
            "age": counted("days", row["oldest_days"], language),
        }
        for row in backlog
    ]
    return _("Awaiting approval: %(parts)s.") % {"parts": "; ".join(parts)}


def stage_name(stage: str) -> str:
    return _("awaiting verification") if stage == "submitted" else _("verified, awaiting approval")


def failed_summary(failed: dict, language: str) -> str | None:
    if not failed["count"]:
        return None
    names = ", ".join(f"“{row['subscription']}” ({row['period_key']})" for row in failed["listed"])
    return counted("dispatches", failed["count"], language) + f": {names}."


def ukraine_summary(ukraine: dict, language: str) -> str:
    if ukraine["changed"]:
        state = (
            _("Training inside Ukraine is now allowed.")
            if ukraine["allowed"]
            else _("Training inside Ukraine is no longer allowed.")
        )
    else:
        state = (
            _("Training inside Ukraine: no change, allowed.")
            if ukraine["allowed"]
            else _("Training inside Ukraine: no change, not allowed.")
        )
    reasons = []
    if not ukraine["mandate_adopted"]:
        # The gating's own reasons, worded once for the admin and the reports.
        reasons.append(gettext("no adopted mandate covers training inside Ukraine"))
    if not ukraine["ceasefire_in_effect"]:
        reasons.append(gettext("no ceasefire is in effect"))
    if reasons:
        state += " " + _("Why: %(reasons)s.") % {"reasons": "; ".join(reasons)}
    state += " " + _("Sites in Ukraine accepting cohorts: %(count)s.") % {
        "count": number(ukraine["sites_accepting"], language)
    }
    changes = [
        (
            _("%(site)s now accepts cohorts (security status: %(status)s)")
            if site["accepts_cohorts"]
            else _("%(site)s does not accept cohorts (security status: %(status)s)")
        )
        % {"site": label(site, language, "name"), "status": Academy.SecurityStatus(site["security_status"]).label}
        for site in ukraine.get("sites_changed", [])
    ]
    if changes:
        state += " " + _("Changed: %(changes)s.") % {"changes": "; ".join(changes)}
    return state


def since_lines(since: dict, language: str) -> list[str]:
    lines = [
        _("%(approvals)s, of them %(corrections)s; the official total changed by %(change)s.")
        % {
            "approvals": counted("approvals", since["approvals"], language),
            "corrections": counted("corrections", since["corrections"], language),
            "change": signed(since["official_change"], language),
        },
        _(
            "Cohorts added: %(added)s; cancelled: %(cancelled)s. The pipeline now expects %(now)s completions (%(before)s before)."
        )
        % {
            "added": number(since["cohorts_added"], language),
            "cancelled": number(since["cohorts_cancelled"], language),
            "now": number(since["pipeline_now"], language),
            "before": number(since["pipeline_before"], language),
        },
    ]
    shift = since.get("forecast")
    if shift:
        if shift["days"] == 0:
            moved = _("The forecast for %(milestone)s stays at %(now)s") % {
                "milestone": number(shift["goal"], language),
                "now": day(shift["now"], language),
            }
        else:
            moved = _("The forecast for %(milestone)s moved %(days)s, from %(before)s to %(now)s") % {
                "milestone": number(shift["goal"], language),
                "days": signed_days(shift["days"], language),
                "before": day(shift["before"], language),
                "now": day(shift["now"], language),
            }
        lines.append(
            moved
            + ": "
            + _(
                "%(elapsed)s for the time passed, %(approvals)s for new approvals, %(rate)s for the pace (%(rate_before)s to %(rate_now)s a week)."
            )
            % {
                "elapsed": signed_days(shift["elapsed_days"], language),
                "approvals": signed_days(shift["approvals_days"], language),
                "rate": signed_days(shift["rate_days"], language),
                "rate_before": number(shift["rate_before"], language),
                "rate_now": number(shift["rate_now"], language),
            }
        )
    return lines


def plan_sentence(plan: dict, language: str) -> str:
    return _(
        "The %(cohorts)s that ended in the last %(weeks)s weeks were planned to bring about %(promised)s completions: %(official)s are official, %(pending)s await approval and %(unreported)s not reported yet."
    ) % {
        "cohorts": counted("cohorts", plan["cohorts"], language),
        "weeks": plan["weeks"],
        "promised": number(round(plan["promised"]), language),
        "official": number(plan["official"], language),
        "pending": number(plan["pending"], language),
        "unreported": counted("cohorts", plan["unreported"], language),
    }


def pace_note(pace: list[dict], language: str) -> str | None:
    """Said when the recent official pace is below the longer one only because returns wait for approval."""
    if len(pace) < 2:
        return None
    recent, longer = pace[0], pace[-1]
    if (
        recent["official_per_week"] < longer["official_per_week"]
        and recent["combined_per_week"] >= 0.8 * longer["official_per_week"]
    ):
        return _(
            "The last %(weeks)s weeks look slow because their returns are still in the approval chain: with them the pace is %(combined)s a week."
        ) % {
            "weeks": recent["weeks"],
            "combined": number(recent["combined_per_week"], language),
        }
    return None
