"""How the admin names each model and filter in Ukrainian sentences (the mechanism: `config/admin_grammar.py`).

One entry per model the admin site lists, ours and third-party apps' alike: its counted form (a plural message, so
the number picks the form: 1 навчальна група, 2 навчальні групи, 5 навчальних груп) and, where Ukrainian's
accusative differs from the verbose name (feminine and animate nouns), that accusative ("Додати навчальну групу").
Filter headings are keyed by the filter's title in English; `tests/admin/test_admin_grammar.py` fails when a model or
a filter of the site has no entry here.

Third-party apps whose names are not translated at all get them in `name_third_party_apps()` (run from
`MissionConfig.ready`): the same English text, made lazy, so our catalogue translates it.
"""

from django.utils.translation import gettext_lazy, npgettext_lazy, pgettext_lazy

from config.admin_grammar import Noun

NOUNS: dict[str, Noun] = {
    "auth.group": Noun(
        counted=npgettext_lazy("counted", "%(count)s group", "%(count)s groups", "count"),
        accusative=pgettext_lazy("accusative", "group"),
    ),
    "auth.user": Noun(
        counted=npgettext_lazy("counted", "%(count)s user", "%(count)s users", "count"),
        accusative=pgettext_lazy("accusative", "user"),
    ),
    "django_celery_beat.periodictask": Noun(
        counted=npgettext_lazy("counted", "%(count)s periodic task", "%(count)s periodic tasks", "count")
    ),
    "django_celery_beat.clockedschedule": Noun(
        counted=npgettext_lazy("counted", "%(count)s clocked", "%(count)s clocked", "count"),
        accusative=pgettext_lazy("accusative", "clocked"),
    ),
    "django_celery_beat.crontabschedule": Noun(
        counted=npgettext_lazy("counted", "%(count)s crontab", "%(count)s crontabs", "count"),
        accusative=pgettext_lazy("accusative", "crontab"),
    ),
    "django_celery_beat.solarschedule": Noun(
        counted=npgettext_lazy("counted", "%(count)s solar event", "%(count)s solar events", "count"),
        accusative=pgettext_lazy("accusative", "solar event"),
    ),
    "django_celery_beat.intervalschedule": Noun(
        counted=npgettext_lazy("counted", "%(count)s interval", "%(count)s intervals", "count")
    ),
    "axes.accessattempt": Noun(
        counted=npgettext_lazy("counted", "%(count)s access attempt", "%(count)s access attempts", "count"),
        accusative=pgettext_lazy("accusative", "access attempt"),
    ),
    "axes.accesslog": Noun(
        counted=npgettext_lazy("counted", "%(count)s access log", "%(count)s access logs", "count"),
        accusative=pgettext_lazy("accusative", "access log"),
    ),
    "axes.accessfailurelog": Noun(
        counted=npgettext_lazy("counted", "%(count)s access failure", "%(count)s access failures", "count"),
        accusative=pgettext_lazy("accusative", "access failure"),
    ),
    "otp_totp.totpdevice": Noun(
        counted=npgettext_lazy("counted", "%(count)s TOTP device", "%(count)s TOTP devices", "count"),
        accusative=pgettext_lazy("accusative", "TOTP device"),
    ),
    "otp_static.staticdevice": Noun(
        counted=npgettext_lazy("counted", "%(count)s static device", "%(count)s static devices", "count"),
        accusative=pgettext_lazy("accusative", "static device"),
    ),
    "academies.nation": Noun(
        counted=npgettext_lazy("counted", "%(count)s nation", "%(count)s nations", "count"),
        accusative=pgettext_lazy("accusative", "nation"),
    ),
    "academies.trainingcommand": Noun(
        counted=npgettext_lazy("counted", "%(count)s training command", "%(count)s training commands", "count")
    ),
    "academies.academy": Noun(
        counted=npgettext_lazy(
            "counted", "%(count)s academy or training site", "%(count)s academies or training sites", "count"
        ),
        accusative=pgettext_lazy("accusative", "academy or training site"),
    ),
    "academies.course": Noun(counted=npgettext_lazy("counted", "%(count)s course", "%(count)s courses", "count")),
    "academies.topic": Noun(
        counted=npgettext_lazy("counted", "%(count)s topic", "%(count)s topics", "count"),
        accusative=pgettext_lazy("accusative", "topic"),
    ),
    "academies.courseversion": Noun(
        counted=npgettext_lazy("counted", "%(count)s course version", "%(count)s course versions", "count"),
        accusative=pgettext_lazy("accusative", "course version"),
    ),
    # After-action reviews and lessons learnt (issue 18).
    "trainees.afteractionreview": Noun(
        counted=npgettext_lazy("counted", "%(count)s after-action review", "%(count)s after-action reviews", "count"),
    ),
    "mission.lesson": Noun(
        counted=npgettext_lazy("counted", "%(count)s lesson", "%(count)s lessons", "count"),
    ),
    "academies.nationaldeploymentauthorisation": Noun(
        counted=npgettext_lazy(
            "counted",
            "%(count)s national deployment authorisation",
            "%(count)s national deployment authorisations",
            "count",
        )
    ),
    "academies.trainer": Noun(
        counted=npgettext_lazy("counted", "%(count)s trainer", "%(count)s trainers", "count"),
        accusative=pgettext_lazy("accusative", "trainer"),
    ),
    "academies.traineravailability": Noun(
        counted=npgettext_lazy(
            "counted", "%(count)s trainer availability", "%(count)s trainer availabilities", "count"
        ),
        accusative=pgettext_lazy("accusative", "trainer availability"),
    ),
    "academies.organisation": Noun(
        counted=npgettext_lazy("counted", "%(count)s partner organisation", "%(count)s partner organisations", "count"),
        accusative=pgettext_lazy("accusative", "partner organisation"),
    ),
    "academies.organisationapikey": Noun(
        counted=npgettext_lazy("counted", "%(count)s organisation API key", "%(count)s organisation API keys", "count"),
        accusative=pgettext_lazy("accusative", "organisation API key"),
    ),
    "academies.idempotencyrecord": Noun(
        counted=npgettext_lazy("counted", "%(count)s idempotency record", "%(count)s idempotency records", "count"),
        accusative=pgettext_lazy("accusative", "idempotency record"),
    ),
    "academies.staffmembership": Noun(
        counted=npgettext_lazy("counted", "%(count)s staff membership", "%(count)s staff memberships", "count"),
        accusative=pgettext_lazy("accusative", "staff membership"),
    ),
    "academies.event": Noun(
        counted=npgettext_lazy("counted", "%(count)s event", "%(count)s events", "count"),
        accusative=pgettext_lazy("accusative", "event"),
    ),
    "academies.webhookendpoint": Noun(
        counted=npgettext_lazy("counted", "%(count)s webhook endpoint", "%(count)s webhook endpoints", "count"),
        accusative=pgettext_lazy("accusative", "webhook endpoint"),
    ),
    "academies.webhookdelivery": Noun(
        counted=npgettext_lazy("counted", "%(count)s webhook delivery", "%(count)s webhook deliveries", "count"),
        accusative=pgettext_lazy("accusative", "webhook delivery"),
    ),
    "trainees.cohort": Noun(
        counted=npgettext_lazy("counted", "%(count)s cohort", "%(count)s cohorts", "count"),
        accusative=pgettext_lazy("accusative", "cohort"),
    ),
    "trainees.trainerassignment": Noun(
        counted=npgettext_lazy("counted", "%(count)s trainer assignment", "%(count)s trainer assignments", "count")
    ),
    "trainees.trainee": Noun(
        counted=npgettext_lazy("counted", "%(count)s trainee", "%(count)s trainees", "count"),
        accusative=pgettext_lazy("accusative", "trainee"),
    ),
    "trainees.enrollment": Noun(
        counted=npgettext_lazy("counted", "%(count)s enrollment", "%(count)s enrollments", "count")
    ),
    "trainees.countreturn": Noun(
        counted=npgettext_lazy("counted", "%(count)s count return", "%(count)s count returns", "count")
    ),
    "trainees.unitfeedback": Noun(
        counted=npgettext_lazy("counted", "%(count)s unit feedback", "%(count)s unit feedback", "count")
    ),
    "trainees.signingkey": Noun(
        counted=npgettext_lazy("counted", "%(count)s record signing key", "%(count)s record signing keys", "count")
    ),
    "mission.target": Noun(counted=npgettext_lazy("counted", "%(count)s target", "%(count)s targets", "count")),
    "mission.milestone": Noun(
        counted=npgettext_lazy("counted", "%(count)s milestone", "%(count)s milestones", "count"),
        accusative=pgettext_lazy("accusative", "milestone"),
    ),
    "mission.mandateversion": Noun(
        counted=npgettext_lazy("counted", "%(count)s mandate version", "%(count)s mandate versions", "count"),
        accusative=pgettext_lazy("accusative", "mandate version"),
    ),
    "mission.ceasefire": Noun(
        counted=npgettext_lazy("counted", "%(count)s ceasefire", "%(count)s ceasefires", "count"),
        accusative=pgettext_lazy("accusative", "ceasefire"),
    ),
    "mission.reportsubscription": Noun(
        counted=npgettext_lazy("counted", "%(count)s report subscription", "%(count)s report subscriptions", "count"),
        accusative=pgettext_lazy("accusative", "report subscription"),
    ),
    "mission.progressreport": Noun(
        counted=npgettext_lazy("counted", "%(count)s progress report", "%(count)s progress reports", "count")
    ),
    "mission.reportdispatch": Noun(
        counted=npgettext_lazy("counted", "%(count)s report dispatch", "%(count)s report dispatches", "count"),
        accusative=pgettext_lazy("accusative", "report dispatch"),
    ),
    "mission.decisiondigest": Noun(
        counted=npgettext_lazy("counted", "%(count)s decision digest", "%(count)s decision digests", "count")
    ),
}

FILTER_TITLES = {
    "Access lock out": pgettext_lazy("admin filter", "By Access lock out"),
    "Attempt Time": pgettext_lazy("admin filter", "By Attempt Time"),
    "EU member state": pgettext_lazy("admin filter", "By EU member state"),
    "Enabled": pgettext_lazy("admin filter", "By Enabled"),
    "Last Run Datetime": pgettext_lazy("admin filter", "By Last Run Datetime"),
    "Locked Out": pgettext_lazy("admin filter", "By Locked Out"),
    "Logout Time": pgettext_lazy("admin filter", "By Logout Time"),
    "One-off Task": pgettext_lazy("admin filter", "By One-off Task"),
    "Path": pgettext_lazy("admin filter", "By Path"),
    "Start Datetime": pgettext_lazy("admin filter", "By Start Datetime"),
    "Task Name": pgettext_lazy("admin filter", "By Task Name"),
    "academy or site": pgettext_lazy("admin filter", "By academy or site"),
    "accepts cohorts": pgettext_lazy("admin filter", "By accepts cohorts"),
    "active": pgettext_lazy("admin filter", "By active"),
    "as of": pgettext_lazy("admin filter", "By as of"),
    "awaiting": pgettext_lazy("admin filter", "By awaiting"),
    "checkpoint": pgettext_lazy("admin filter", "By checkpoint"),
    "confirmed": pgettext_lazy("admin filter", "By confirmed"),
    "contributes trainers": pgettext_lazy("admin filter", "By contributes trainers"),
    "contributing state": pgettext_lazy("admin filter", "By contributing state"),
    "course": pgettext_lazy("admin filter", "By course"),
    "covers training inside Ukraine": pgettext_lazy("admin filter", "By covers training inside Ukraine"),
    "created": pgettext_lazy("admin filter", "By created"),
    "current": pgettext_lazy("admin filter", "By current"),
    "created at": pgettext_lazy("admin filter", "By created at"),
    "day": pgettext_lazy("admin filter", "By day"),
    "ended on": pgettext_lazy("admin filter", "By ended on"),
    "endpoint": pgettext_lazy("admin filter", "By endpoint"),
    "family": pgettext_lazy("admin filter", "By family"),
    "first reached on": pgettext_lazy("admin filter", "By first reached on"),
    "flagged": pgettext_lazy("admin filter", "By flagged"),
    "frequency": pgettext_lazy("admin filter", "By frequency"),
    "generated at": pgettext_lazy("admin filter", "By generated at"),
    "groups": pgettext_lazy("admin filter", "By groups"),
    "keeps a roster": pgettext_lazy("admin filter", "By keeps a roster"),
    "kind": pgettext_lazy("admin filter", "By kind"),
    "language": pgettext_lazy("admin filter", "By language"),
    "last used at": pgettext_lazy("admin filter", "By last used at"),
    "level": pgettext_lazy("admin filter", "By level"),
    "milestone alerts": pgettext_lazy("admin filter", "By milestone alerts"),
    "nation": pgettext_lazy("admin filter", "By nation"),
    "needs attention": pgettext_lazy("admin filter", "By needs attention"),
    "operating command": pgettext_lazy("admin filter", "By operating command"),
    "organisation": pgettext_lazy("admin filter", "By organisation"),
    "read-only": pgettext_lazy("admin filter", "By read-only"),
    "replay": pgettext_lazy("admin filter", "By replay"),
    "revoked": pgettext_lazy("admin filter", "By revoked"),
    "role": pgettext_lazy("admin filter", "By role"),
    "scope": pgettext_lazy("admin filter", "By scope"),
    "security status": pgettext_lazy("admin filter", "By security status"),
    "staff status": pgettext_lazy("admin filter", "By staff status"),
    "staffing": pgettext_lazy("admin filter", "By staffing"),
    "starts on": pgettext_lazy("admin filter", "By starts on"),
    "withdrawn on": pgettext_lazy("admin filter", "By withdrawn on"),
    "state": pgettext_lazy("admin filter", "By state"),
    "status": pgettext_lazy("admin filter", "By status"),
    "status code": pgettext_lazy("admin filter", "By status code"),
    "subject type": pgettext_lazy("admin filter", "By subject type"),
    "superuser status": pgettext_lazy("admin filter", "By superuser status"),
    "training command": pgettext_lazy("admin filter", "By training command"),
    "type": pgettext_lazy("admin filter", "By type"),
    "updated at": pgettext_lazy("admin filter", "By updated at"),
    "valid from": pgettext_lazy("admin filter", "By valid from"),
    "visible through": pgettext_lazy("admin filter", "By visible through"),
    # After-action reviews and lessons learnt (issue 18).
    "issue": pgettext_lazy("admin filter", "By issue"),
    "filed on": pgettext_lazy("admin filter", "By filed on"),
    "open": pgettext_lazy("admin filter", "By open"),
    "due on": pgettext_lazy("admin filter", "By due on"),
}

# App names that their apps leave untranslated (derived from the label), and model names given as plain strings.
THIRD_PARTY_APP_NAMES = {
    "axes": gettext_lazy("Axes"),
    "otp_totp": gettext_lazy("Otp_Totp"),
    "otp_static": gettext_lazy("Otp_Static"),
}
THIRD_PARTY_MODEL_NAMES = {
    "otp_totp.totpdevice": (gettext_lazy("TOTP device"), gettext_lazy("TOTP devices")),
    "otp_static.staticdevice": (gettext_lazy("static device"), gettext_lazy("static devices")),
}


def name_third_party_apps() -> None:
    """Give untranslated third-party apps and models their names lazily, in the same English, so the Ukrainian
    admin's menu, breadcrumbs and titles read in Ukrainian. Migrations see the same English names, so none changes."""
    from django.apps import apps

    for label, name in THIRD_PARTY_APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for label, (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
        try:
            options = apps.get_model(label)._meta
        except LookupError:
            continue
        options.verbose_name, options.verbose_name_plural = singular, plural
