"""The Ukrainian admin reads naturally: titles, filters and counts in the grammatical form they need (issue 15 item 6).

English keeps Django's wording; Ukrainian names the model in the accusative ("Додати навчальну групу"), a filter in
the instrumental ("За державою") and a counted model in the form its number takes (1 навчальна група, 2 навчальні
групи, 5 навчальних груп).
"""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from mission.admin_grammar import FILTER_TITLES, NOUNS
from tests.factories import AcademyFactory, CohortFactory, NationFactory, ReportSubscriptionFactory, TrainerFactory
from trainees.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in Ukrainian leaves Ukrainian active in this thread; later tests expect the default language."""
    yield
    translation.deactivate()


@pytest.fixture
def ukrainian(admin_client_for):
    def client_for(user):
        client = admin_client_for(user)
        client.cookies["django_language"] = "uk"
        return client

    return client_for


def heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def result_count(html: str) -> str:
    return re.search(r'class="result-count">(.*?)</span>', html, re.S).group(1).strip()


def filter_headings(html: str) -> list[str]:
    return [" ".join(text.split()) for text in re.findall(r"<summary>(.*?)</summary>", html, re.S)]


def test_the_cohort_pages_name_the_cohort_in_the_accusative(ukrainian, superuser):
    cohort = CohortFactory()
    client = ukrainian(superuser)

    changelist = client.get(reverse("admin:trainees_cohort_changelist")).content.decode()
    add = client.get(reverse("admin:trainees_cohort_add")).content.decode()
    change = client.get(reverse("admin:trainees_cohort_change", args=[cohort.pk])).content.decode()

    assert heading(changelist) == "Виберіть навчальну групу, щоб змінити"
    assert "<title>Виберіть навчальну групу, щоб змінити |" in changelist
    assert re.search(r'class="addlink">\s*Додати навчальну групу\s*</a>', changelist)
    assert heading(add) == "Додати навчальну групу"
    assert re.search(r"&rsaquo; Додати навчальну групу\s*</div>", add)  # the breadcrumb
    assert heading(change) == "Змінити навчальну групу"


def test_an_observer_is_asked_to_select_a_cohort_to_view(ukrainian, observer):
    cohort = CohortFactory()
    client = ukrainian(observer)

    assert heading(client.get(reverse("admin:trainees_cohort_changelist")).content.decode()) == (
        "Виберіть навчальну групу, щоб переглянути"
    )
    view = client.get(reverse("admin:trainees_cohort_change", args=[cohort.pk])).content.decode()
    assert heading(view) == "Переглянути навчальну групу"


def test_animate_and_feminine_models_take_their_accusative(ukrainian, superuser):
    TrainerFactory()
    client = ukrainian(superuser)

    assert heading(client.get(reverse("admin:academies_trainer_changelist")).content.decode()) == (
        "Виберіть інструктора, щоб змінити"
    )
    assert heading(client.get(reverse("admin:academies_trainer_add")).content.decode()) == "Додати інструктора"
    assert heading(client.get(reverse("admin:academies_nation_changelist")).content.decode()) == (
        "Виберіть державу, щоб змінити"
    )
    assert heading(client.get(reverse("admin:mission_milestone_add")).content.decode()) == "Додати віху"


def test_filter_headings_are_in_the_instrumental(ukrainian, superuser):
    AcademyFactory(nation=NationFactory(code="PL"))
    AcademyFactory(nation=NationFactory(code="DE"))

    html = ukrainian(superuser).get(reverse("admin:academies_academy_changelist")).content.decode()

    assert {"За державою", "За видом", "За безпековим статусом"} <= set(filter_headings(html))
    assert "За держава" not in html


@pytest.mark.parametrize(
    ("cohorts", "counted"), [(1, "1 навчальна група"), (2, "2 навчальні групи"), (5, "5 навчальних груп")]
)
def test_the_result_count_takes_the_form_its_number_needs(ukrainian, superuser, cohorts, counted):
    CohortFactory.create_batch(cohorts)

    html = ukrainian(superuser).get(reverse("admin:trainees_cohort_changelist")).content.decode()

    assert result_count(html) == counted


@pytest.mark.parametrize(("cohorts", "counted"), [(2, "2 навчальні групи"), (5, "5 навчальних груп")])
def test_the_selection_counter_across_pages_counts_in_ukrainian(ukrainian, superuser, monkeypatch, cohorts, counted):
    monkeypatch.setattr(admin.site.get_model_admin(Cohort), "list_per_page", 1)
    CohortFactory.create_batch(cohorts)

    html = ukrainian(superuser).get(reverse("admin:trainees_cohort_changelist")).content.decode()

    assert f'<span class="all hidden">Вибрано всі: {counted}</span>' in html
    assert f">Вибрати всі: {counted}</a>" in html


def test_english_keeps_djangos_wording(admin_client_for, superuser):
    CohortFactory()
    AcademyFactory(nation=NationFactory(code="PL"))
    AcademyFactory(nation=NationFactory(code="DE"))
    client = admin_client_for(superuser)

    changelist = client.get(reverse("admin:trainees_cohort_changelist")).content.decode()
    academies = client.get(reverse("admin:academies_academy_changelist")).content.decode()

    assert heading(changelist) == "Select cohort to change"
    assert result_count(changelist) == "1 cohort"
    assert heading(client.get(reverse("admin:trainees_cohort_add")).content.decode()) == "Add cohort"
    assert "By nation" in filter_headings(academies)


def test_an_action_message_counts_in_ukrainian(ukrainian, superuser):
    subscriptions = ReportSubscriptionFactory.create_batch(2)
    client = ukrainian(superuser)

    response = client.post(
        reverse("admin:mission_reportsubscription_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in subscriptions], "post": "yes"},
    )

    sent = [str(message) for message in get_messages(response.wsgi_request)]
    assert "Припинено 2 підписки." in sent
    assert "Видалено: 2 підписки на звіти." in sent  # Django's own "Successfully deleted …", in its plural form


def test_the_delete_question_names_the_model_in_the_accusative(ukrainian, superuser):
    subscription = ReportSubscriptionFactory(name="Weekly HQ")

    html = (
        ukrainian(superuser)
        .get(reverse("admin:mission_reportsubscription_delete", args=[subscription.pk]))
        .content.decode()
    )

    assert 'Ви впевнені, що хочете видалити підписку на звіти "Weekly HQ"?' in html


# COVERAGE: a model or a filter added to the site without its Ukrainian forms fails here.


def _filter_titles() -> set[str]:
    titles = set()
    for model, model_admin in admin.site.model_admins().items():
        for entry in model_admin.list_filter:
            entry = entry[0] if isinstance(entry, list | tuple) else entry
            title = get_fields_from_path(model, entry)[-1].verbose_name if isinstance(entry, str) else entry.title
            with translation.override("en"):
                titles.add(str(title))
    return titles


def test_every_model_of_the_admin_has_its_grammatical_forms():
    missing = [model._meta.label_lower for model in admin.site.model_admins() if model._meta.label_lower not in NOUNS]
    assert missing == []


def test_every_filter_of_the_admin_has_its_heading():
    assert sorted(_filter_titles() - set(FILTER_TITLES)) == []


# THE MENU: every app and model of the index and the sidebar, third-party apps' too, in Ukrainian.

ENGLISH_MENU_LABELS = [
    "Periodic Tasks",
    "Periodic tasks",
    "Intervals",
    "Crontabs",
    "Clocked",
    "Solar events",
    "Axes",
    "Access attempts",
    "Access logs",
    "Access failures",
    "Otp_Totp",
    "Otp_Static",
    "TOTP devices",
    "Static devices",
    "Authentication and Authorization",
    "Groups",
    "Users",
    "API keys",
    "Organisation API keys",
    "Cohorts",
]


def test_the_ukrainian_admin_index_has_no_english_menu_label(ukrainian, superuser):
    # The index is the menu: the navigation sidebar is off, so that changelists keep the screen's width.
    client = ukrainian(superuser)
    index = client.get(reverse("admin:index")).content.decode()

    for html in (index,):
        apps = [" ".join(name.split()) for name in re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, re.S)]
        models = [
            " ".join(name.split())
            for name in re.findall(r'<th scope="row" id="[^"]*">\s*(?:<a[^>]*>)?(.*?)<', html, re.S)
        ]
        assert len(apps) >= 7 and len(models) >= 30
        labels = apps + models
        assert [label for label in labels if label in ENGLISH_MENU_LABELS] == []
        assert [label for label in labels if not re.search("[а-яіїєґ]", label, re.I)] == []
        assert {"Періодичні завдання", "Захист входу (Axes)", "Спроби входу", "Пристрої TOTP"} <= set(labels)
