"""Import and export of cohorts, trainees, enrollments and count returns, for the admin (django-import-export).

Imports write through the services of `trainees.services`, so an imported row obeys exactly the rules of the
admin form and the API: capacity and course size for cohorts, the roster rule for enrollments, and the
approval chain for count returns, which always arrive as "submitted". A refusal becomes that row's error.
During a dry run the whole import runs in a transaction that is rolled back.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from academies.models import Academy, Course
from academies.scope import Actor
from config.admin import ImportRowLimitMixin, ScopedImportMixin
from config.exceptions import ApplicationError
from config.imports import ReferenceWidget, SpreadsheetImportMixin

from .models import Cohort, CountReturn, Enrollment, Trainee
from .services import cohort_schedule, cohort_update, count_return_submit, enrollment_record


def _as_validation_error(error: ApplicationError) -> ValidationError:
    details = {key: value for key, value in (error.extra or {}).items() if isinstance(value, list | tuple)}
    messages = [str(error.message)] + [f"{key}: {item}" for key, values in details.items() for item in values]
    return ValidationError(messages)


class ServiceResource(SpreadsheetImportMixin, ScopedImportMixin, ImportRowLimitMixin, resources.ModelResource):
    """A resource whose rows are saved by a service instead of `Model.save()`, as the importing actor.

    The rows a file may name by reference are those the actor's organisation runs: any other reference is
    "does not exist", exactly as for a reference that does not exist.
    """

    scoped_reference_models: tuple[type, ...] = (Cohort,)

    def save_via_service(self, instance: Any, is_create: bool, row: dict, actor: Actor) -> Any:
        raise NotImplementedError

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        actor = self.actor or Actor.for_user(kwargs.get("user"))
        try:
            saved = self.save_via_service(instance, is_create, row, actor)
        except ApplicationError as error:
            raise _as_validation_error(error) from error
        instance.pk = saved.pk
        for field in saved._meta.concrete_fields:
            setattr(instance, field.attname, getattr(saved, field.attname))
        instance._state.adding = False
        self.after_save_instance(instance, row, **kwargs)


class CohortResource(ServiceResource):
    # A cohort is planned at a site the organisation runs, as in the form's choices: any other site is "no such".
    scoped_reference_models = (Cohort, Academy)

    course = fields.Field(attribute="course", column_name="course", widget=ReferenceWidget(Course, "code"))
    academy = fields.Field(attribute="academy", column_name="academy", widget=ReferenceWidget(Academy, "slug"))

    class Meta:
        model = Cohort
        fields = ("reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster")
        export_order = fields
        import_id_fields = ("reference",)
        clean_model_instances = True
        skip_unchanged = True

    def save_via_service(self, instance: Cohort, is_create: bool, row: dict, actor: Actor) -> Cohort:
        plan: dict[str, Any] = {
            "course": instance.course,
            "academy": instance.academy,
            "starts_on": instance.starts_on,
            "ends_on": instance.ends_on,
            "seats": instance.seats,
            "has_roster": instance.has_roster,
        }
        # A blank status leaves it to the dates; a status given is checked against them.
        status = (row.get("status") or "").strip() or None
        if is_create:
            return cohort_schedule(reference=instance.reference, status=status, actor=actor, **plan)
        return cohort_update(cohort=instance, status=status, actor=actor, **plan)


class TraineeResource(SpreadsheetImportMixin, ImportRowLimitMixin, resources.ModelResource):
    """Pseudonymous references only; the model has no field for anything else."""

    class Meta:
        model = Trainee
        fields = ("reference", "created_at")
        export_order = fields
        import_id_fields = ("reference",)
        clean_model_instances = True
        skip_unchanged = True


class TraineeReferenceWidget(widgets.ForeignKeyWidget):
    """A trainee by reference. An unknown reference is new: `enrollment_record` creates it."""

    def __init__(self):
        super().__init__(Trainee, "reference")

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        return Trainee.objects.filter(reference=value).first() or Trainee(reference=value)


class EnrollmentResource(ServiceResource):
    trainee = fields.Field(attribute="trainee", column_name="trainee", widget=TraineeReferenceWidget())
    cohort = fields.Field(attribute="cohort", column_name="cohort", widget=ReferenceWidget(Cohort, "reference"))

    class Meta:
        model = Enrollment
        fields = ("trainee", "cohort", "status")
        export_order = fields
        # `enrollment_record` creates or updates the (cohort, trainee) pair itself, and validates it.
        force_init_instance = True
        clean_model_instances = False

    def save_via_service(self, instance: Enrollment, is_create: bool, row: dict, actor: Actor) -> Enrollment:
        if instance.trainee is None or instance.cohort_id is None:
            raise ApplicationError(str(_("Each row names a trainee reference and a cohort reference.")))
        return enrollment_record(
            cohort=instance.cohort, trainee_reference=instance.trainee.reference, status=instance.status, actor=actor
        )


class CountReturnResource(ServiceResource):
    """Count returns. Import columns: cohort, as_of, enrolled, completed, withdrawn. State is never imported."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    cohort = fields.Field(attribute="cohort", column_name="cohort", widget=ReferenceWidget(Cohort, "reference"))
    academy = fields.Field(attribute="cohort__academy__slug", column_name="academy", readonly=True)
    course = fields.Field(attribute="cohort__course__code", column_name="course", readonly=True)
    state = fields.Field(attribute="state", column_name="state", readonly=True)
    submitted_at = fields.Field(attribute="submitted_at", column_name="submitted_at", readonly=True)
    rejection_reason = fields.Field(attribute="rejection_reason", column_name="rejection_reason", readonly=True)

    class Meta:
        model = CountReturn
        fields = (
            "id",
            "cohort",
            "academy",
            "course",
            "as_of",
            "enrolled",
            "completed",
            "withdrawn",
            "state",
            "submitted_at",
            "rejection_reason",
        )
        export_order = fields
        # Every imported row is a new return; corrections of approved figures are new returns too.
        force_init_instance = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("cohort__academy", "cohort__course")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The row's own checks, leaving out the state, which the service sets: so the one-pending-return rule is
        the service's to tell, naming the pending return, rather than the constraint's general message here."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "state"], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_via_service(self, instance: CountReturn, is_create: bool, row: dict, actor: Actor) -> CountReturn:
        return count_return_submit(
            cohort=instance.cohort,
            as_of=instance.as_of,
            enrolled=instance.enrolled,
            completed=instance.completed,
            withdrawn=instance.withdrawn,
            actor=actor,
        )
