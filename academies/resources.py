"""Import and export of trainers and their availability, for the admin (django-import-export).

Rows name related records by their natural keys (a nation's ISO code, a course's code, a trainer's
reference), so a spreadsheet needs no database ids. Every row is validated with `full_clean()`.
"""

from import_export import fields, resources, widgets

from config.admin import ImportRowLimitMixin

from .models import Course, Nation, Trainer, TrainerAvailability


class LanguageListWidget(widgets.Widget):
    """ISO 639-1 codes separated by commas in a cell; a list in the model."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        return sorted({code.strip().lower() for code in str(value).split(",") if code.strip()})

    def render(self, value, obj=None, **kwargs):
        return ",".join(value or [])


class TrainerResource(ImportRowLimitMixin, resources.ModelResource):
    nation = fields.Field(
        attribute="nation", column_name="nation", widget=widgets.ForeignKeyWidget(Nation, field="code")
    )
    qualifications = fields.Field(
        attribute="qualifications",
        column_name="qualifications",
        widget=widgets.ManyToManyWidget(Course, field="code", separator=","),
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


class TrainerAvailabilityResource(ImportRowLimitMixin, resources.ModelResource):
    trainer = fields.Field(
        attribute="trainer", column_name="trainer", widget=widgets.ForeignKeyWidget(Trainer, field="reference")
    )

    class Meta:
        model = TrainerAvailability
        fields = ("trainer", "starts_on", "ends_on", "note")
        export_order = fields
        # Re-importing a rotation plan updates the window that starts on the same day instead of duplicating it.
        import_id_fields = ("trainer", "starts_on")
        clean_model_instances = True
        skip_unchanged = True
