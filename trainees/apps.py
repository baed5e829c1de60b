from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "trainees"
    verbose_name = _("Cohorts and trainees")

    def ready(self) -> None:
        from django.db.models import Field

        from config.db import AnyOf

        from .models import Cohort, CountReturn, Enrollment, Trainee

        # `__any` on the key and reference columns that bulk requests look up by the thousand (services/bulk.py),
        # and only there: registered on these fields, not on every field of its class in the project.
        for model, names in (
            (Cohort, ("id", "reference")),
            (CountReturn, ("cohort",)),
            (Enrollment, ("cohort", "trainee")),
            (Trainee, ("id", "reference")),
        ):
            for name in names:
                field = model._meta.get_field(name)
                assert isinstance(field, Field)  # a concrete column, not a reverse relation
                field.register_lookup(AnyOf)

        from django.db.models.signals import post_migrate

        from .tallies import clear_tallies_of_empty_tables

        post_migrate.connect(clear_tallies_of_empty_tables, sender=self, dispatch_uid="trainees.clear_tallies")

        # The tally triggers: `manage.py check` fails when one is missing or out of date, and `migrate` (whose
        # table rebuilds drop them on SQLite) creates them again (trainees/tally_triggers.py).
        from django.core import checks
        from django.db.models.signals import pre_migrate

        from .tally_triggers import check_tally_triggers, drop_before_migrate, repair_after_migrate

        checks.register(check_tally_triggers, "trainees_tally_triggers")
        pre_migrate.connect(drop_before_migrate, sender=self, dispatch_uid="trainees.set_aside_tally_triggers")
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="trainees.repair_tally_triggers")

        # Events about cohorts, and what hangs off them, are seen by whoever may see the cohort (issue 14).
        from academies.events import register_visibility
        from academies.models import Event

        from .events import cohort_visibility

        register_visibility(Event.Visibility.COHORT, cohort_visibility)
