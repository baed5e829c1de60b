"""Writes of the mission layer, one module per concern, re-exported here so callers import `mission.services`.

- `steering`: mandates and member-state positions, ceasefires, the gating of sites in Ukraine;
- `caveats`: contributing states' authorisations for their trainers to serve inside Ukraine (national caveats);
- `subscriptions`: report subscriptions as partners manage them;
- `digest`: the daily digest of count returns awaiting each verifier and approver;
- `dispatch`: progress reports and milestone alerts, delivered exactly once through the dispatch log.
"""

from .caveats import (
    WithdrawalResult,
    assignments_uncovered,
    deployment_authorisation_record,
    deployment_authorisation_withdraw,
)
from .digest import decision_digest_send, decision_digests_send, staff_language
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
from .subscriptions import (
    ManageLink,
    UnsubscribeChannel,
    manage_link_verify,
    report_subscription_create,
    report_subscription_delete,
    report_subscription_preferences_change,
    report_subscription_resubscribe,
    report_subscription_unsubscribe,
    report_subscription_update,
)

__all__ = [
    "MAX_DELIVERY_ATTEMPTS",
    "MILESTONE_ALERT_FRESHNESS",
    "PENDING_GRACE",
    "SENDING_LEASE",
    "TRANSIENT_DELIVERY_ERRORS",
    "DeliveryOutcome",
    "DeliveryRetry",
    "ManageLink",
    "UkraineConditions",
    "UnsubscribeChannel",
    "WithdrawalResult",
    "assignments_uncovered",
    "ceasefire_declare",
    "ceasefire_end",
    "decision_digest_send",
    "decision_digests_send",
    "deployment_authorisation_record",
    "deployment_authorisation_withdraw",
    "manage_link_verify",
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
    "report_subscription_preferences_change",
    "report_subscription_resubscribe",
    "report_subscription_unsubscribe",
    "report_subscription_update",
    "retry_delay",
    "staff_language",
    "ukraine_conditions",
    "ukraine_gating_refresh",
]
