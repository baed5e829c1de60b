"""Where training happens, what is taught, who teaches, and which partner sees what."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.stamps import ChangeStamped, RestampsReferrersOnRename, restamp

from .querysets import (
    AcademyQuerySet,
    OrganisationQuerySet,
    ReferenceDataQuerySet,
    TrainerAvailabilityQuerySet,
    TrainerQuerySet,
)

UKRAINE = "UA"


class BilingualNameMixin(models.Model):
    """English and Ukrainian names; `name` answers in the active language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if translation.get_language() == "uk" and self.name_uk:
            return self.name_uk
        return self.name_en


class Nation(BilingualNameMixin):
    """A state, keyed by its ISO 3166-1 alpha-2 code: an EU member state, a contributing third state or Ukraine."""

    code = models.CharField(
        _("ISO code"),
        max_length=2,
        primary_key=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two capital letters of ISO 3166-1 alpha-2."))],
    )
    is_eu_member = models.BooleanField(_("EU member state"), default=False)
    contributes_trainers = models.BooleanField(_("contributes trainers"), default=False)

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("nation")
        verbose_name_plural = _("nations")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z]$"),
                name="nation_code_iso_alpha2",
                violation_error_message=_("A nation's code is two capital letters (ISO 3166-1 alpha-2)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class TrainingCommand(RestampsReferrersOnRename, BilingualNameMixin):
    """A command that runs a group of training sites, such as CAT-C in Żagań or ST-C in Strausberg."""

    shown_by_others = ("code",)  # a site shows its command's code

    code = models.SlugField(_("code"), max_length=20, unique=True)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="commands", verbose_name=_("nation"))
    city = models.CharField(_("city"), max_length=100)
    history = HistoricalRecords()

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("training command")
        verbose_name_plural = _("training commands")


class Academy(ChangeStamped, BilingualNameMixin):
    """A place where cohorts are trained: an EU training site or range, or a Ukrainian academy or institute."""

    shown_by_others = ("slug",)  # cohorts and subscriptions show their site's slug

    class Kind(models.TextChoices):
        TRAINING_CENTRE = "training_centre", _("EU training centre")
        RANGE = "range", _("range")
        ACADEMY = "academy", _("military academy")
        INSTITUTE = "institute", _("military institute")
        UNIVERSITY = "university", _("military university")

    class SecurityStatus(models.TextChoices):
        OPEN = "open", _("open")
        RESTRICTED = "restricted", _("restricted")
        CLOSED = "closed", _("closed")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="academies", verbose_name=_("nation"))
    city_en = models.CharField(_("city (English)"), max_length=100)
    city_uk = models.CharField(_("city (Ukrainian)"), max_length=100, blank=True)
    command = models.ForeignKey(
        TrainingCommand,
        on_delete=models.PROTECT,
        related_name="academies",
        null=True,
        blank=True,
        verbose_name=_("operating command"),
        help_text=_("The EU training command that runs the site. Empty for Ukrainian institutions."),
    )
    seat_capacity = models.PositiveIntegerField(
        _("seat capacity"), help_text=_("Trainees the site can hold at the same time, across all cohorts.")
    )
    security_status = models.CharField(
        _("security status"), max_length=20, choices=SecurityStatus.choices, default=SecurityStatus.OPEN
    )
    accepts_cohorts = models.BooleanField(
        _("accepts cohorts"),
        default=True,
        help_text=_(
            "Set by the mission's gating for sites in Ukraine: true only while the mandate, the ceasefire and "
            "the site's security status all allow training there."
        ),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AcademyQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("academy or training site")
        verbose_name_plural = _("academies and training sites")
        constraints = [
            models.CheckConstraint(
                condition=Q(seat_capacity__gte=0),
                name="academy_seat_capacity_non_negative",
                violation_error_message=_("Seat capacity cannot be negative."),
            ),
        ]
        # Delta sync (config.stamps): the rows changed since a moment, in (stamp, id) order.
        indexes = [models.Index(fields=["updated_at", "id"], name="academy_updated_at_id")]

    @property
    def city(self) -> str:
        if translation.get_language() == "uk" and self.city_uk:
            return self.city_uk
        return self.city_en

    @property
    def in_ukraine(self) -> bool:
        return self.nation_id == UKRAINE

    @property
    def is_schedulable(self) -> bool:
        """Whether new cohorts may be placed here now. Trainees checks only this; mission keeps it current."""
        return self.accepts_cohorts and self.security_status == self.SecurityStatus.OPEN


class AcademyAlias(models.Model):
    """A former or alternative name of an academy, so that renamed institutions can still be found."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("academy"))
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=[("en", _("English")), ("uk", _("Ukrainian"))])
    used_until = models.DateField(_("used until"), null=True, blank=True)

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["academy", "name"]
        verbose_name = _("academy alias")
        verbose_name_plural = _("academy aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "name"],
                name="academy_alias_unique_name",
                violation_error_message=_("This academy already has that alias."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Course(ChangeStamped, BilingualNameMixin):
    """A module in the catalogue: its family, level, length, cohort size and trainees per trainer."""

    shown_by_others = ("code",)  # cohorts and trainers' qualifications show the course's code

    class Family(models.TextChoices):
        BASIC = "basic", _("basic individual training")
        ADVANCED = "advanced", _("advanced individual training")
        MEDICAL = "medical", _("medical")
        CBRN = "cbrn", _("CBRN defence")
        DEMINING = "demining", _("demining")
        LOGISTICS = "logistics", _("logistics")
        COMMUNICATIONS = "communications", _("communications")
        MAINTENANCE = "maintenance", _("maintenance and repair")
        LEADERSHIP = "leadership", _("junior leadership")
        COLLECTIVE = "collective", _("collective training")
        PILOT = "pilot", _("pilot training")

    class Level(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        SPECIALISED = "specialised", _("specialised")
        SECTION = "section", _("section and squad")
        PLATOON = "platoon", _("platoon")
        COMPANY = "company", _("company")
        BATTALION = "battalion", _("battalion")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    duration_days = models.PositiveIntegerField(_("duration in days"), validators=[MinValueValidator(1)])
    max_cohort_size = models.PositiveIntegerField(_("maximum cohort size"), validators=[MinValueValidator(1)])
    trainees_per_trainer = models.PositiveIntegerField(
        _("trainees per trainer"),
        validators=[MinValueValidator(1)],
        help_text=_("How many trainees one trainer may have. A cohort with fewer trainers is understaffed."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_days__gte=1),
                name="course_duration_positive",
                violation_error_message=_("A course lasts at least one day."),
            ),
            models.CheckConstraint(
                condition=Q(max_cohort_size__gte=1),
                name="course_max_cohort_size_positive",
                violation_error_message=_("A course's maximum cohort size is at least one."),
            ),
            models.CheckConstraint(
                condition=Q(trainees_per_trainer__gte=1),
                name="course_trainees_per_trainer_positive",
                violation_error_message=_("Trainees per trainer is at least one."),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="course_updated_at_id")]


class Trainer(ChangeStamped):
    """An instructor contributed by a state. Known by a service reference; qualified for some courses."""

    shown_by_others = ("reference",)  # assignments and rotation windows show the trainer's reference

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,39}$", _("Letters, digits, '.', '_' and '-'."))],
        help_text=_("The contributing state's reference for this trainer."),
    )
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="trainers", verbose_name=_("contributing state")
    )
    qualifications = models.ManyToManyField(
        Course, related_name="qualified_trainers", blank=True, verbose_name=_("qualified for")
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_('ISO 639-1 codes of the languages the trainer teaches in, for example ["en", "uk"].'),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[qualifications], excluded_fields=["updated_at"])

    objects = TrainerQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        indexes = [models.Index(fields=["updated_at", "id"], name="trainer_updated_at_id")]
        constraints = [
            # Ukrainian instructors (issue 18): no personal data of Ukrainian personnel beyond an opaque reference.
            models.CheckConstraint(
                condition=~Q(nation=UKRAINE) | Q(display_name=""),
                name="trainer_ukrainian_reference_only",
                violation_error_message=_(
                    "A Ukrainian instructor is known by an opaque reference only: leave the display name empty."
                ),
            ),
        ]

    @property
    def is_ukrainian(self) -> bool:
        return self.nation_id == UKRAINE

    def __str__(self) -> str:
        return f"{self.reference} ({self.nation_id})"

    @property
    def speaks_ukrainian(self) -> bool:
        return "uk" in (self.languages or [])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        codes = self.languages or []
        if not isinstance(codes, list) or not all(isinstance(c, str) and len(c) == 2 for c in codes):
            raise ValidationError({"languages": _('Give a list of two-letter ISO 639-1 codes, such as ["en"].')})
        self.languages = sorted({c.lower() for c in codes})
        if self.nation_id == UKRAINE and self.display_name:
            raise ValidationError(
                {
                    "display_name": _(
                        "A Ukrainian instructor is known by an opaque reference only: leave the display name empty."
                    )
                }
            )


@receiver(m2m_changed, sender=Trainer.qualifications.through)
def _restamp_trainer_on_qualifications(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A trainer shows its qualifications: changing them, from either side, changes the trainer."""
    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        restamp(Trainer.objects.filter(pk=instance.pk))
    elif reverse and action in ("post_add", "post_remove") and pk_set:
        restamp(Trainer.objects.filter(pk__in=pk_set))
    elif reverse and action == "pre_clear":  # after the clear, Django no longer says whose it was
        restamp(Trainer.objects.filter(qualifications=instance))


class TrainerAvailability(ChangeStamped):
    """A rotation window during which a trainer may be assigned to cohorts."""

    trainer = models.ForeignKey(
        Trainer, on_delete=models.CASCADE, related_name="availabilities", verbose_name=_("trainer")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = TrainerAvailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["trainer", "starts_on"]
        verbose_name = _("trainer availability")
        verbose_name_plural = _("trainer availability")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="trainer_availability_ends_after_start",
                violation_error_message=_("An availability window ends on or after the day it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["trainer", "starts_on", "ends_on"], name="availability_trainer_dates"),
            models.Index(fields=["updated_at", "id"], name="availability_updated_at_id"),
            # The admin's date hierarchy: its first and last day, and whether a year has any (issue 19).
            models.Index(fields=["starts_on"], name="availability_starts_on"),
        ]

    def __str__(self) -> str:
        return f"{self.trainer_id}: {self.starts_on} – {self.ends_on}"


class Organisation(RestampsReferrersOnRename):
    """A partner whose scope decides what its API keys may see and change."""

    shown_by_others = ("slug",)  # count returns show the slug of the organisation that submitted them

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("member-state ministry of defence")
        TRAINING_COMMAND = "training_command", _("training command")
        ACADEMY = "academy", _("academy or training site")
        MISSION_HQ = "mission_hq", _("mission HQ")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    nation = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("nation"),
    )
    command = models.ForeignKey(
        TrainingCommand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("training command"),
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("academy"),
    )
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="ministry", nation__isnull=False, command__isnull=True, academy__isnull=True)
                    | Q(
                        kind="training_command",
                        command__isnull=False,
                        nation__isnull=True,
                        academy__isnull=True,
                    )
                    | Q(kind="academy", academy__isnull=False, nation__isnull=True, command__isnull=True)
                    | Q(kind="mission_hq", nation__isnull=True, command__isnull=True, academy__isnull=True)
                ),
                name="organisation_scope_matches_kind",
                violation_error_message=_(
                    "A ministry names its nation, a training command its command, an academy its academy; "
                    "mission HQ names none, and no organisation names more than its own."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """The organisation a staff account works for. Its scope is the organisation's, exactly as for its API keys.

    A staff account without one sees nothing. The role is the account's group (see `setup_roles`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", verbose_name=_("organisation")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


# Defined in their own modules, registered with this app here: national caveats (issue 18, item 7: which states'
# trainers may serve inside Ukraine), the curriculum (course versions and topics, issue 18), events and webhooks
# (issue 14), the partner API's keys and idempotency records, tombstones.
from .caveats import NationalDeploymentAuthorisation  # noqa: E402, F401
from .curriculum import CourseVersion, CourseVersionTopic, Topic  # noqa: E402, F401
from .event_models import Event, WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
from .partner_models import IdempotencyRecord, OrganisationAPIKey, OrganisationAPIKeyManager  # noqa: E402, F401
from .tombstones import TrainerAvailabilityTombstone, WebhookEndpointTombstone  # noqa: E402, F401


@receiver(post_save, sender=Course, dispatch_uid="eumam.course_first_version")
def _course_first_version(sender, instance: Course, created: bool, raw: bool = False, **kwargs) -> None:
    """Every course has a version from the day it is catalogued: version 1, written from its own facts."""
    if created and not raw:
        CourseVersion.first_of(instance)
