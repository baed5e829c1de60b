"""Writes of the mission layer, one module per concern, re-exported here so callers import `mission.services`.

- `steering`: mandates and member-state positions, ceasefires, the gating of sites in Ukraine;
- `subscriptions`: report subscriptions as partners manage them;
- `dispatch`: progress reports and milestone alerts, delivered exactly once through the dispatch log.
"""

from .dispatch import (
    MAX_DELIVERY_ATTEMPTS,
    MILESTONE_ALERT_FRESHNESS,
    PENDING_GRACE,
    SENDING_LEASE,
    TRANSIENT_DELIVERY_ERRORS,
    DeliveryOutcome,
    DeliveryRetry,
    milestone_alert_deliver,
    milestone_period_key,
    milestones_check,
    progress_report_create,
    progress_report_deliver,
    progress_report_send_now,
    report_dispatch_claim,
    report_dispatch_mark_sent,
    report_dispatch_mark_unsent,
    report_dispatch_retry,
    report_dispatches_enqueue_due,
    retry_delay,
)
from .steering import (
    UkraineConditions,
    ceasefire_declare,
    ceasefire_end,
    mandate_adopt,
    mandate_adoption_blockers,
    mandate_position_record,
    mandate_withdraw,
    ukraine_conditions,
    ukraine_gating_refresh,
)
from .subscriptions import report_subscription_create, report_subscription_delete, report_subscription_update

__all__ = [
    "MAX_DELIVERY_ATTEMPTS",
    "MILESTONE_ALERT_FRESHNESS",
    "PENDING_GRACE",
    "SENDING_LEASE",
    "TRANSIENT_DELIVERY_ERRORS",
    "DeliveryOutcome",
    "DeliveryRetry",
    "UkraineConditions",
    "ceasefire_declare",
    "ceasefire_end",
    "mandate_adopt",
    "mandate_adoption_blockers",
    "mandate_position_record",
    "mandate_withdraw",
    "milestone_alert_deliver",
    "milestone_period_key",
    "milestones_check",
    "progress_report_create",
    "progress_report_deliver",
    "progress_report_send_now",
    "report_dispatch_claim",
    "report_dispatch_mark_sent",
    "report_dispatch_mark_unsent",
    "report_dispatch_retry",
    "report_dispatches_enqueue_due",
    "report_subscription_create",
    "report_subscription_delete",
    "report_subscription_update",
    "retry_delay",
    "ukraine_conditions",
    "ukraine_gating_refresh",
]
