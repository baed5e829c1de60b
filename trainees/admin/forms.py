"""The forms of the trainees admin. A model form calls its service once, when it validates, so a refusal appears
on the form; the admin's `save_model` takes the result (`config.admin.ServiceModelForm`)."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from academies.scope import Actor
from config.admin import ServiceModelForm
from config.exceptions import ApplicationError

from ..models import Cohort, CountReturn, Enrollment, TrainerAssignment
from ..services import (
    POSTPONE_MAX_DAYS,
    cohort_schedule,
    cohort_update,
    count_return_submit,
    enrollment_record,
    trainer_assign,
    trainer_unassign,
)

COHORT_PLAN_FIELDS = ("reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster")


class CohortForm(ServiceModelForm):
    class Meta:
        model = Cohort
        fields = COHORT_PLAN_FIELDS
        help_texts = {
            "status": _(
                "Follows the dates: planned before the first day, in training until the last, completed after it "
                "(moved on every night). Only cancelling is a choice; a status the dates contradict is refused."
            )
        }

    def service_call(self):
        data = {name: self.cleaned_data.get(name) for name in COHORT_PLAN_FIELDS if name in self.cleaned_data}
        if self.instance.pk is None:
            # The dates give a new cohort its status; a status the coordinator picked is checked against them.
            status = data.pop("status", None)
            chosen = status if "status" in self.changed_data else None
            return lambda: cohort_schedule(actor=self.actor, status=chosen, **data)
        stored, changes = self.stored_and_changes(data)
        if stored is None:
            return None
        return lambda: cohort_update(cohort=stored, actor=self.actor, **changes)


class TrainerAssignmentInlineForm(forms.ModelForm):
    """A row of the cohort's trainers. A new or changed row of a saved cohort is written by `trainer_assign` when
    it validates, so a refusal shows on the row; `CohortAdmin.save_formset` takes the result (rows of a cohort
    being created are written there, once the cohort exists)."""

    class Meta:
        model = TrainerAssignment
        fields = ("trainer", "role")

    # Set on the form class by the inline (`academies.admin_scope.ScopedInlineMixin.get_formset`).
    actor: Actor
    assignment_result = None  # what `assignment_replace` returned when the row validated

    def _post_clean(self) -> None:
        # Model validation runs here; the stubs leave the private hook out (Django's own forms override it).
        super()._post_clean()  # type: ignore[misc]
        if self.errors or not self.has_changed() or self.cleaned_data.get("DELETE"):
            return
        cohort = self.instance.cohort if self.instance.cohort_id else None
        trainer, role = self.cleaned_data.get("trainer"), self.cleaned_data.get("role")
        if cohort is None or cohort.pk is None or trainer is None:
            return
        existing = TrainerAssignment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            with transaction.atomic():
                self.assignment_result = assignment_replace(
                    existing, trainer=trainer, cohort=cohort, role=role, actor=self.actor
                )
        except ApplicationError as error:
            self.add_error(None, error.message)


def assignment_replace(existing: TrainerAssignment | None, *, trainer, cohort, role, actor):
    """A changed assignment is removed and made again, so that every rule of `trainer_assign` applies."""
    if existing is not None:
        trainer_unassign(assignment=existing, actor=actor)
    return trainer_assign(trainer=trainer, cohort=cohort, role=role, actor=actor)


class FinderRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role to fill"), choices=TrainerAssignment.Role.choices, initial=TrainerAssignment.Role.INSTRUCTOR
    )


class PostponeForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=POSTPONE_MAX_DAYS,
        help_text=_("Each cohort's start and end move this many days later; its trainers must still fit."),
    )


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in each cohort's history and the audit trail."),
    )


class TrainerAssignmentForm(ServiceModelForm):
    class Meta:
        model = TrainerAssignment
        fields = ("trainer", "cohort", "role")

    def service_call(self):
        trainer, cohort, role = (self.cleaned_data.get(name) for name in ("trainer", "cohort", "role"))
        if trainer is None or cohort is None:
            return None
        existing = TrainerAssignment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        return lambda: assignment_replace(existing, trainer=trainer, cohort=cohort, role=role, actor=self.actor)


class EnrollmentForm(ServiceModelForm):
    class Meta:
        model = Enrollment
        fields = ("cohort", "trainee", "status")

    def service_call(self):
        cohort, trainee, status = (self.cleaned_data.get(name) for name in ("cohort", "trainee", "status"))
        if cohort is None or trainee is None:
            return None
        return lambda: enrollment_record(
            cohort=cohort, trainee_reference=trainee.reference, status=status, actor=self.actor
        )

    def validate_unique(self) -> None:
        # The service updates the existing (cohort, trainee) pair instead of refusing it.
        return None


class CountReturnForm(ServiceModelForm):
    class Meta:
        model = CountReturn
        # Who submits is the account and its organisation, never a choice: a form cannot act for another one.
        fields = ("cohort", "as_of", "enrolled", "completed", "withdrawn")

    def service_call(self):
        if self.instance.pk is not None:
            return None
        data = self.cleaned_data
        return lambda: count_return_submit(
            cohort=data["cohort"],
            as_of=data["as_of"],
            enrolled=data["enrolled"],
            completed=data["completed"],
            withdrawn=data["withdrawn"],
            actor=self.actor,
        )


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Sent back to the site with the return. Say what to correct."),
    )
