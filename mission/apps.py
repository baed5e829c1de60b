from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionConfig(AppConfig):
    name = "mission"
    verbose_name = _("Mission steering")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
        from .admin_grammar import name_third_party_apps

        name_third_party_apps()
