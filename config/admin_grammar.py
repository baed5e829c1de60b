"""The admin's generic phrases in the grammatical form each language needs.

Django builds "Select %s to change", "Add %s", "By %s" and "5 cohorts" by pasting a model's or a field's verbose name,
in the nominative, into one sentence. English reads well; Ukrainian does not: it says "Виберіть навчальну групу, щоб
змінити" (accusative), "За державою" (instrumental) and "5 навчальних груп" (genitive plural after 5). So the site
looks the phrase up instead of pasting:

- `Noun`: per model, its accusative (when it differs from the verbose name) and its counted form, a plural
  message with the number in it, so gettext picks the one of Ukrainian's forms that the number needs;
- a table of filter headings, by the filter's title in English ("nation" → "By nation" → "За державою").

The tables are declared next to the admin site (`mission/admin_grammar.py`); this module is the mechanism, so it
knows no model. It only ever replaces Django's generic phrase: a title that an admin set itself is left alone, and a
model or filter missing from the tables keeps Django's wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import model_ngettext
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext


@dataclass(frozen=True)
class Noun:
    """How one model is named inside the admin's sentences.

    `accusative` is the object of "Add/Change/Select … to change" (None: the verbose name, which is right when the
    two forms coincide); `counted` is `npgettext_lazy(..., "%(count)s cohort", "%(count)s cohorts", "count")`.
    """

    counted: Any
    accusative: Any = None


def _accusative(opts: Any, noun: Noun | None) -> str:
    return str(noun.accusative) if noun is not None and noun.accusative is not None else str(opts.verbose_name)


def counted(opts: Any, noun: Noun | None, count: int) -> str:
    """ "1 cohort", "5 cohorts": the number with the model's name in the form that number takes."""
    if noun is None:
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
        return f"{count} {name}"
    return noun.counted % {"count": count}


def titles(opts: Any, noun: Noun | None) -> dict[str, str]:
    """The page titles of one model, in the active language."""
    name = _accusative(opts, noun)
    return {
        "select": pgettext("admin title", "Select %(name)s") % {"name": name},
        "select_to_change": pgettext("admin title", "Select %(name)s to change") % {"name": name},
        "select_to_view": pgettext("admin title", "Select %(name)s to view") % {"name": name},
        "add": pgettext("admin title", "Add %(name)s") % {"name": name},
        "change": pgettext("admin title", "Change %(name)s") % {"name": name},
        "view": pgettext("admin title", "View %(name)s") % {"name": name},
        "accusative": name,
    }


def _english(text: Any) -> str:
    with translation.override("en"):
        return str(text)


class GrammaticalAdminMixin:
    """Every ModelAdmin of the site (the site mixes it in when it registers one, see `GrammaticalAdminSiteMixin`).

    It sets the titles of the list, add, change, view and delete pages, the filter headings, the result count and
    the selection counter, which the templates in `templates/admin/` read (`cl.grammar`, `spec.by_title`).
    """

    def _noun(self) -> Noun | None:
        return self.admin_site.nouns.get(self.model._meta.label_lower)  # type: ignore[attr-defined]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        opts, noun = self.model._meta, self._noun()  # type: ignore[attr-defined]
        forms = titles(opts, noun)
        if IS_POPUP_VAR in request.GET:
            generic, ours = gettext("Select %s") % opts.verbose_name, forms["select"]
        elif self.has_change_permission(request):  # type: ignore[attr-defined]
            generic, ours = gettext("Select %s to change") % opts.verbose_name, forms["select_to_change"]
        else:
            generic, ours = gettext("Select %s to view") % opts.verbose_name, forms["select_to_view"]
        if changelist.title == generic:
            changelist.title = ours
        changelist.grammar = {
            **forms,
            "add_title": capfirst(forms["add"]),
            "results": counted(opts, noun, changelist.result_count),
            "all_selected": pgettext("admin selection", "All %(objects)s selected")
            % {"objects": counted(opts, noun, changelist.result_count)},
            "select_all": pgettext("admin selection", "Select all %(objects)s")
            % {"objects": counted(opts, noun, changelist.result_count)},
        }
        filter_titles = self.admin_site.filter_titles  # type: ignore[attr-defined]
        for spec in changelist.filter_specs:
            heading = filter_titles.get(_english(spec.title))
            if heading is not None:
                spec.by_title = str(heading)
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        opts = self.model._meta  # type: ignore[attr-defined]
        forms = titles(opts, self._noun())
        for generic, ours in (("Add %s", "add"), ("Change %s", "change"), ("View %s", "view")):
            if context.get("title") == gettext(generic) % opts.verbose_name:
                context["title"] = capfirst(forms[ours])
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset):
        # Django's "delete selected" then says "Successfully deleted 5 …" with the verbose name pasted in.
        request.grammar_deleted_count = queryset.count()
        return super().delete_queryset(request, queryset)  # type: ignore[misc]

    def message_user(self, request, message, *args, **kwargs):
        count = getattr(request, "grammar_deleted_count", None)
        if count is not None:
            opts = self.model._meta  # type: ignore[attr-defined]
            generic = gettext("Successfully deleted %(count)d %(items)s.") % {
                "count": count,
                "items": model_ngettext(opts, count),
            }
            if str(message) == generic:
                message = pgettext("admin message", "Successfully deleted %(objects)s.") % {
                    "objects": counted(opts, self._noun(), count)
                }
        return super().message_user(request, message, *args, **kwargs)  # type: ignore[misc]

    def delete_view(self, request, object_id, extra_context=None):
        forms = titles(self.model._meta, self._noun())  # type: ignore[attr-defined]
        # "Are you sure you want to delete the %(object_name)s …?": the object of "delete".
        context = {"object_name": forms["accusative"], **(extra_context or {})}
        return super().delete_view(request, object_id, extra_context=context)  # type: ignore[misc]


class GrammaticalAdminSiteMixin:
    """An admin site whose every ModelAdmin, ours and third-party apps', takes its phrases from `nouns` and
    `filter_titles` (keyed by `app_label.modelname` and by a filter's English title)."""

    nouns: dict[str, Noun] = {}
    filter_titles: dict[str, Any] = {}

    def register(self, model_or_iterable, admin_class=None, **options):
        from django.contrib.admin import ModelAdmin

        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, GrammaticalAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (GrammaticalAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)  # type: ignore[misc]
