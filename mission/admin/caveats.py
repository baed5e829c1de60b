"""National caveats in the admin (issue 18, item 7): which states' trainers may serve inside Ukraine."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin
from academies.models import Academy, NationalDeploymentAuthorisation
from config import clock
from config.admin import ServiceFormAdminMixin, ServiceModelForm

from .. import services

AUTHORISATION_FIELDS = ("nation", "given_on", "valid_until", "sites", "note")
WITHDRAWAL_FIELDS = ("withdrawn_on", "withdrawal_reason")


class DeploymentAuthorisationForm(ServiceModelForm):
    """Recording an authorisation, or (on one in force) its withdrawal: each through its service."""

    class Meta:
        model = NationalDeploymentAuthorisation
        fields = AUTHORISATION_FIELDS + WITHDRAWAL_FIELDS

    def service_call(self):
        data = self.cleaned_data
        if self.instance.pk is None:
            return lambda: services.deployment_authorisation_record(
                nation=data["nation"],
                given_on=data["given_on"],
                valid_until=data.get("valid_until"),
                sites=list(data.get("sites") or []),
                note=data.get("note", ""),
                actor=self.actor,
            )
        stored = NationalDeploymentAuthorisation.objects.filter(pk=self.instance.pk).first()
        if stored is None or stored.is_withdrawn or not data.get("withdrawn_on"):
            return None
        return lambda: services.deployment_authorisation_withdraw(
            authorisation=stored,
            withdrawn_on=data["withdrawn_on"],
            reason=data.get("withdrawal_reason", ""),
            actor=self.actor,
        )


@admin.register(NationalDeploymentAuthorisation)
class NationalDeploymentAuthorisationAdmin(ScopedAdminMixin, ServiceFormAdminMixin, SimpleHistoryAdmin):
    """Which states let their trainers serve inside Ukraine. Never deleted: a change of limits is a new record,
    an end is a withdrawal (fill in its day and reason), which flags the affected cohorts and mails coordinators."""

    form = DeploymentAuthorisationForm
    list_display = ("nation", "given_on", "valid_until", "site_list", "withdrawn_on", "in_force_today")
    list_filter = ("nation", "withdrawn_on")
    search_fields = ("nation__code", "nation__name_en", "note", "withdrawal_reason")
    date_hierarchy = "given_on"
    filter_horizontal = ("sites",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("nation").prefetch_related("sites")

    def get_fields(self, request, obj=None):
        if obj is None:
            return AUTHORISATION_FIELDS
        return (*AUTHORISATION_FIELDS, "recorded_by", *WITHDRAWAL_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The stored record decides, not `obj`: a refused withdrawal has already set the day on `obj`, and its
        # form must still show the reason field with its error.
        if NationalDeploymentAuthorisation.objects.filter(pk=obj.pk, withdrawn_on__isnull=False).exists():
            return (*AUTHORISATION_FIELDS, "recorded_by", *WITHDRAWAL_FIELDS)
        return (*AUTHORISATION_FIELDS, "recorded_by")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sites":
            kwargs["queryset"] = Academy.objects.in_ukraine().order_by("name_en")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "nation":
            from academies.models import Nation

            kwargs["queryset"] = Nation.objects.filter(contributes_trainers=True).exclude(code="UA")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("sites"))
    def site_list(self, obj: NationalDeploymentAuthorisation) -> str:
        sites = [site.name for site in obj.sites.all()]
        return ", ".join(sites) if sites else gettext("every site inside Ukraine")

    @admin.display(description=_("in force today"), boolean=True)
    def in_force_today(self, obj: NationalDeploymentAuthorisation) -> bool:
        today = clock.today()
        return obj.given_on <= today and (obj.last_day is None or obj.last_day >= today)

    def save_model(self, request, obj, form, change):
        result = form.save_via_service()
        if result is None:
            return
        saved = getattr(result, "authorisation", result)
        affected = getattr(result, "affected_assignments", None)
        if affected:
            self.message_user(
                request,
                ngettext(
                    "%(count)s assignment affected: its cohort is flagged and the coordinators told.",
                    "%(count)s assignments affected: their cohorts are flagged and the coordinators told.",
                    len(affected),
                )
                % {"count": len(affected)},
                messages.WARNING,
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the service set the sites; nothing else hangs off an authorisation

    def has_delete_permission(self, request, obj=None):
        return False  # official records are never deleted: an authorisation is withdrawn
