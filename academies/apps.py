from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademiesConfig(AppConfig):
    name = "academies"
    verbose_name = _("Sites, courses and trainers")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
