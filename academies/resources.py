"""Import and export of trainers and their availability, for the admin (django-import-export).

Rows name related records by their natural keys (a nation's ISO code, a course's code, a trainer's
reference), so a spreadsheet needs no database ids. Every row is validated with `full_clean()`.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from config.admin import ImportRowLimitMixin, ScopedImportMixin
from config.imports import ReferenceListWidget, ReferenceWidget, SpreadsheetImportMixin

from .models import Course, Nation, Trainer, TrainerAvailability
from .scope import Actor


class TrainerImportMixin(ScopedImportMixin):
    """Rows are written as the importing actor: its role must allow the write, and the trainer must be one its
    organisation keeps (a ministry its nation's, mission HQ any). Trainers are named among those it keeps only."""

    scoped_reference_models = (Trainer,)

    def before_save_instance(self, instance, row, **kwargs):
        actor = self.actor or Actor.for_user(kwargs.get("user"))
        options = instance._meta
        action = "add" if instance.pk is None else "change"
        if not actor.may(f"{options.app_label}.{action}_{options.model_name}"):
            raise ValidationError(_("Your role does not allow you to import these rows."))
        trainer = instance if isinstance(instance, Trainer) else instance.trainer
        if trainer.pk is not None and not Trainer.objects.managed_by(actor.policy).filter(pk=trainer.pk).exists():
            raise ValidationError(_("This trainer is outside your organisation's scope."))
        if not actor.policy.registers_trainers_of(trainer.nation_id):
            raise ValidationError(_("Your organisation does not register this nation's trainers."))
        super().before_save_instance(instance, row, **kwargs)


class LanguageListWidget(widgets.Widget):
    """ISO 639-1 codes separated by commas in a cell; a list in the model."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        return sorted({code.strip().lower() for code in str(value).split(",") if code.strip()})

    def render(self, value, obj=None, **kwargs):
        return ",".join(value or [])


class TrainerResource(SpreadsheetImportMixin, TrainerImportMixin, ImportRowLimitMixin, resources.ModelResource):
    nation = fields.Field(attribute="nation", column_name="nation", widget=ReferenceWidget(Nation, field="code"))
    qualifications = fields.Field(
        attribute="qualifications",
        column_name="qualifications",
        widget=ReferenceListWidget(Course, field="code", separator=","),
    )
    languages = fields.Field(attribute="languages", column_name="languages", widget=LanguageListWidget())

    class Meta:
        model = Trainer
        fields = ("reference", "display_name", "nation", "qualifications", "languages", "is_active")
        export_order = fields
        import_id_fields = ("reference",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class TrainerAvailabilityResource(
    SpreadsheetImportMixin, TrainerImportMixin, ImportRowLimitMixin, resources.ModelResource
):
    trainer = fields.Field(
        attribute="trainer", column_name="trainer", widget=ReferenceWidget(Trainer, field="reference")
    )

    class Meta:
        model = TrainerAvailability
        fields = ("trainer", "starts_on", "ends_on", "note")
        export_order = fields
        # Re-importing a rotation plan updates the window that starts on the same day instead of duplicating it.
        import_id_fields = ("trainer", "starts_on")
        clean_model_instances = True
        skip_unchanged = True
