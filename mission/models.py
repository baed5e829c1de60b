"""The mission's steering: targets, milestones, mandates, ceasefire, report subscriptions and their dispatch."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from academies.models import Academy, Nation, Organisation, TrainingCommand
from academies.tombstones import Tombstone, since_index
from config.stamps import ChangeStamped, restamp

from .querysets import MissionWideQuerySet, ProgressReportQuerySet, ReportSubscriptionQuerySet


class Target(ChangeStamped):
    """An entry of the target ledger: a goal for people trained, in force from a date until the next entry."""

    value = models.PositiveIntegerField(_("target"))
    in_force_from = models.DateField(_("in force from"), unique=True)
    label = models.CharField(_("label"), max_length=120)
    # Nullable so that SQLite adds the column in place (migration 0006); an empty label falls back to English.
    label_uk = models.CharField(_("label (Ukrainian)"), max_length=120, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MissionWideQuerySet.as_manager()

    class Meta:
        ordering = ["in_force_from"]
        verbose_name = _("target")
        verbose_name_plural = _("target ledger")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="target_value_positive",
                violation_error_message=_("A target is a positive number of people."),
            ),
        ]
        # Delta sync (config.stamps): the rows changed since a moment, in (stamp, id) order.
        indexes = [models.Index(fields=["updated_at", "id"], name="target_updated_at_id")]

    def __str__(self) -> str:
        return f"{self.value:,} from {self.in_force_from}"


class Milestone(ChangeStamped):
    """A rung of the ladder that coordinators configure, such as 80,000, 90,000 or 100,000 trained."""

    value = models.PositiveIntegerField(_("trained"), unique=True)
    label = models.CharField(_("label"), max_length=120)
    label_uk = models.CharField(_("label (Ukrainian)"), max_length=120, null=True, blank=True)
    first_reached_on = models.DateField(
        _("first reached on"),
        null=True,
        blank=True,
        help_text=_("The date the official total first passed this milestone. Set once, never cleared."),
    )
    officially_reached_on = models.DateField(
        _("made official on"),
        null=True,
        blank=True,
        help_text=_("The day of the approval that took the official total past this milestone."),
    )
    reached_by = models.ForeignKey(
        "trainees.CountReturn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made official by"),
        help_text=_("The approved count return whose approval took the official total past this milestone."),
    )
    alerted_at = models.DateTimeField(
        _("alerts sent at"),
        null=True,
        blank=True,
        help_text=_("When the one-time milestone alert was dispatched."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MissionWideQuerySet.as_manager()

    class Meta:
        ordering = ["value"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestone ladder")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="milestone_value_positive",
                violation_error_message=_("A milestone is a positive number of people."),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="milestone_updated_at_id")]

    def __str__(self) -> str:
        return f"{self.value:,}"


class MandateVersion(ChangeStamped):
    """A version of the mission's mandate, and the member states' positions on it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")
        SUPERSEDED = "superseded", _("superseded")
        # "withdrawn" alone means trainees who left; a withdrawn mandate is a different word in Ukrainian.
        WITHDRAWN = "withdrawn", pgettext_lazy("mandate status", "withdrawn")

    reference = models.CharField(_("reference"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    covers_training_in_ukraine = models.BooleanField(_("covers training inside Ukraine"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    budget_eur = models.DecimalField(_("budget (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MissionWideQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "reference"]
        verbose_name = _("mandate version")
        verbose_name_plural = _("mandate versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="mandate_valid_until_after_from",
                violation_error_message=_("A mandate ends on or after the day it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(adopted_on__isnull=False),
                name="mandate_adoption_dated",
                violation_error_message=_("An adopted mandate records its adoption date."),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="mandate_updated_at_id")]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A mandate ends on or after the day it starts.")})


class MandatePosition(models.Model):
    """One member state's recorded position on a mandate version."""

    class Position(models.TextChoices):
        SUPPORT = "support", _("support")
        ABSTAIN = "abstain", _("abstain (constructive)")
        OPPOSE = "oppose", _("oppose")
        UNKNOWN = "unknown", _("unknown")

    mandate = models.ForeignKey(
        MandateVersion, on_delete=models.CASCADE, related_name="positions", verbose_name=_("mandate")
    )
    nation = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        related_name="mandate_positions",
        limit_choices_to={"is_eu_member": True},
        verbose_name=_("member state"),
    )
    position = models.CharField(_("position"), max_length=10, choices=Position.choices, default=Position.UNKNOWN)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MissionWideQuerySet.as_manager()

    class Meta:
        ordering = ["mandate", "nation"]
        verbose_name = _("member-state position")
        verbose_name_plural = _("member-state positions")
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "nation"],
                name="mandate_position_one_per_state",
                violation_error_message=_("This member state already has a position on this mandate."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id}: {self.position}"

    # A mandate version shows its positions: recording or removing one changes the mandate.
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        restamp(MandateVersion.objects.filter(pk=self.mandate_id))

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        restamp(MandateVersion.objects.filter(pk=self.mandate_id))
        return deleted

    def clean(self) -> None:
        if self.nation_id and not Nation.objects.filter(pk=self.nation_id, is_eu_member=True).exists():
            raise ValidationError({"nation": _("Only EU member states take positions on the mandate.")})


class Ceasefire(models.Model):
    """A ceasefire, in effect from a date until it ends (open-ended while it holds)."""

    in_effect_from = models.DateField(_("in effect from"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = MissionWideQuerySet.as_manager()

    class Meta:
        ordering = ["-in_effect_from"]
        verbose_name = _("ceasefire")
        verbose_name_plural = _("ceasefires")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("in_effect_from")),
                name="ceasefire_ends_after_start",
                violation_error_message=_("A ceasefire ends on or after the day it takes effect."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.in_effect_from} – {self.ended_on or '…'}"

    def clean(self) -> None:
        if self.ended_on and self.in_effect_from and self.ended_on < self.in_effect_from:
            raise ValidationError({"ended_on": _("A ceasefire ends on or after the day it takes effect.")})


class ReportSubscription(ChangeStamped):
    """Who receives progress reports, how often, about which scope and in which language."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")

    class Scope(models.TextChoices):
        MISSION = "mission", _("mission-wide")
        NATION = "nation", _("one nation")
        COMMAND = "command", _("one training command")
        ACADEMY = "academy", _("one academy")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        UKRAINIAN = "uk", _("Ukrainian")

    name = models.CharField(_("name"), max_length=120)
    recipients = models.JSONField(_("recipients"), default=list, help_text=_("E-mail addresses, as a list."))
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text=_("For weekly reports: 0 is Monday, 6 is Sunday."),
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("For monthly reports: 1 to 28, so that every month has the day."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.MISSION)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nation"))
    command = models.ForeignKey(
        TrainingCommand, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("training command")
    )
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("academy"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    milestone_alerts = models.BooleanField(_("milestone alerts"), default=True)
    attach_csv = models.BooleanField(_("attach CSV breakdown"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        verbose_name=_("owning organisation"),
        help_text=_("The partner that manages this subscription through the API, if any."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Recipients in control (issue 16): the PDF copy, the staff account whose scope bounds the figures, and the
    # record of an unsubscription. A subscription is not an official record (its sent dispatches are), but an
    # unsubscription is deactivation, never deletion, so the dispatch log and the reports keep their subscription.
    # Nullable with no default (empty reads as no), so that SQLite adds the column without rebuilding the table.
    attach_pdf = models.BooleanField(
        _("attach PDF copy"), null=True, blank=True, help_text=_("Attach the report as a PDF file too.")
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        verbose_name=_("staff user"),
        help_text=_(
            "If set, the report shows no more than this staff user's organisation may see, whatever the scope "
            "says. A user without an organisation, or deactivated, receives no report."
        ),
    )
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    unsubscribed_via = models.CharField(
        _("unsubscribed through"),
        max_length=20,
        null=True,
        blank=True,
        choices=[
            ("one_click", _("one-click unsubscribe (List-Unsubscribe-Post)")),
            ("manage_page", _("the manage page of the report's link")),
        ],
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ReportSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="mission", nation__isnull=True, command__isnull=True, academy__isnull=True)
                    | Q(scope="nation", nation__isnull=False, command__isnull=True, academy__isnull=True)
                    | Q(scope="command", command__isnull=False, nation__isnull=True, academy__isnull=True)
                    | Q(scope="academy", academy__isnull=False, nation__isnull=True, command__isnull=True)
                ),
                name="subscription_scope_matches_target",
                violation_error_message=_("The scope names exactly its own nation, command or academy."),
            ),
            models.CheckConstraint(
                condition=~Q(frequency="weekly") | Q(weekday__isnull=False, weekday__lte=6),
                name="subscription_weekly_has_weekday",
                violation_error_message=_("A weekly subscription names its weekday (0 Monday to 6 Sunday)."),
            ),
            models.CheckConstraint(
                condition=~Q(frequency="monthly")
                | Q(day_of_month__isnull=False, day_of_month__gte=1, day_of_month__lte=28),
                name="subscription_monthly_has_day",
                violation_error_message=_("A monthly subscription names its day, 1 to 28."),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="subscription_updated_at_id")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.validators import validate_email

        errors: dict[str, object] = {}
        if not isinstance(self.recipients, list) or not self.recipients:
            errors["recipients"] = _("Give at least one e-mail address, as a list.")
        else:
            for address in self.recipients:
                try:
                    validate_email(address)
                except ValidationError:
                    errors["recipients"] = _("“%(address)s” is not an e-mail address.") % {"address": address}
                    break
        targets = {"nation": self.nation_id, "command": self.command_id, "academy": self.academy_id}
        for field, value in targets.items():
            if self.scope == field and value is None:
                errors[field] = _("This scope needs its %(field)s.") % {"field": field}
            elif self.scope != field and value is not None:
                errors[field] = _("Leave this empty for the chosen scope.")
        if self.frequency == self.Frequency.WEEKLY and self.weekday is None:
            errors["weekday"] = _("A weekly subscription names its weekday (0 Monday to 6 Sunday).")
        if self.frequency == self.Frequency.MONTHLY and self.day_of_month is None:
            errors["day_of_month"] = _("A monthly subscription names its day, 1 to 28.")
        if errors:
            raise ValidationError(errors)


class ReportSubscriptionTombstone(Tombstone):
    """A report subscription that was ended; seen, like the subscriptions, by the organisation that owned it."""

    # None for a subscription of no organisation's (one of the mission's own): mission HQ alone sees it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )

    objects = ReportSubscriptionQuerySet.as_manager()

    class Meta(Tombstone.Meta):
        indexes = [since_index("subscription")]
        verbose_name = _("ended report subscription")
        verbose_name_plural = _("ended report subscriptions")


class ProgressReport(ChangeStamped):
    """A rendered report: the figures as JSON and the HTML that was (or would be) sent."""

    subscription = models.ForeignKey(
        ReportSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("subscription"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=2, default="en")
    scope_label = models.CharField(_("scope"), max_length=200)
    figures = models.JSONField(_("figures"))
    html = models.TextField(_("HTML"))
    text = models.TextField(_("plain text"), blank=True)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["-generated_at"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_ends_after_start",
                violation_error_message=_("A report's period ends on or after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="report_updated_at_id")]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period_start} – {self.period_end}"


class ReportDispatch(models.Model):
    """The one delivery of a subscription's report for one period. The unique pair makes it exactly once."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("periodic report")
        MILESTONE = "milestone", _("milestone alert")
        MANUAL = "manual", _("sent on request")

    subscription = models.ForeignKey(
        ReportSubscription,
        on_delete=models.CASCADE,
        related_name="dispatches",
        verbose_name=_("subscription"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERIODIC)
    period_key = models.CharField(
        _("period"),
        max_length=40,
        help_text=_("The period this dispatch covers, such as 2025-W35, 2025-08 or 2025-08-29, or a milestone."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    report = models.ForeignKey(
        ProgressReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="dispatches"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A report sent outside its schedule (the admin's "send report now", `send_progress_reports --force`): who
    # asked and why. Nullable with no default, so that SQLite adds the columns without rebuilding this table.
    requested_by = models.CharField(_("requested by"), max_length=150, null=True, blank=True)
    request_reason = models.TextField(_("reason"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report dispatch")
        verbose_name_plural = _("dispatch log")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "kind", "period_key"],
                name="dispatch_once_per_subscription_period",
                violation_error_message=_("This subscription already has a dispatch for this period."),
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="dispatch_sent_is_dated",
                violation_error_message=_("A sent dispatch records when it was sent."),
            ),
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="dispatch_state_updated")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.kind} {self.period_key}: {self.state}"


class DecisionDigest(models.Model):
    """The one daily digest of a verifier or approver: count returns awaiting their decision, sent at most once a
    day. The unique pair (user, day) makes it once; `sent_at` stays empty until the mail is out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A log of mails sent, not an official record: it goes with the account.
        on_delete=models.CASCADE,
        related_name="decision_digests",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"), help_text=_("The mission's local day (Europe/Brussels) of the digest."))
    language = models.CharField(_("language"), max_length=2)
    # The counts the mail gave, by step ("verify", "approve"): what the user was told, for the record.
    waiting = models.JSONField(_("waiting"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("decision digest")
        verbose_name_plural = _("decision digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                name="decision_digest_once_per_user_day",
                violation_error_message=_("This user already has a decision digest for this day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


# LESSONS LEARNT (issue 18): tracked to a decision, in their own module.
from .lessons import Lesson  # noqa: E402, F401
