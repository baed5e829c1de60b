from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "trainees"
    verbose_name = _("Cohorts and trainees")

    def ready(self) -> None:
        from django.db import models

        from config.db import AnyOf

        # `__any` on the key and reference columns that bulk requests look up by the thousand.
        for field in (models.AutoField, models.BigAutoField, models.ForeignKey, models.CharField):
            field.register_lookup(AnyOf)

        from django.db.models.signals import post_migrate

        from .tallies import clear_tallies_of_empty_tables

        post_migrate.connect(clear_tallies_of_empty_tables, sender=self, dispatch_uid="trainees.clear_tallies")

        # Events about cohorts, and what hangs off them, are seen by whoever may see the cohort (issue 14).
        from academies.events import register_visibility
        from academies.models import Event

        from .events import cohort_visibility

        register_visibility(Event.Visibility.COHORT, cohort_visibility)
