"""The reference data loads completely and idempotently, and never overwrites what coordinators own."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from academies.models import Academy, AcademyAlias, Course, Nation, Organisation, TrainingCommand
from mission.models import MandatePosition, MandateVersion, Milestone, Target

MODELS = [
    Nation,
    TrainingCommand,
    Academy,
    AcademyAlias,
    Course,
    Target,
    Milestone,
    MandateVersion,
    MandatePosition,
    Organisation,
]


def load() -> str:
    output = StringIO()
    call_command("load_reference_data", stdout=output)
    return output.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_it_is_idempotent():
    first_output = load()
    first = row_counts()
    second_output = load()

    assert row_counts() == first
    assert "0 already present" in first_output
    assert "(0 created" in second_output
    assert len(second_output.strip().splitlines()) == 1


@pytest.mark.django_db
def test_it_loads_the_27_member_states_and_the_contributing_third_states():
    load()

    members = Nation.objects.filter(is_eu_member=True)
    assert members.count() == 27
    assert members.filter(contributes_trainers=True).count() == 24
    assert set(members.filter(contributes_trainers=False).values_list("code", flat=True)) == {"AT", "IE", "MT"}
    assert set(Nation.objects.filter(is_eu_member=False).values_list("code", flat=True)) == {"CA", "NO", "UA"}
    assert Nation.objects.get(code="NO").contributes_trainers
    assert Nation.objects.get(code="CA").contributes_trainers
    assert all(nation.name_uk for nation in Nation.objects.all())


@pytest.mark.django_db
def test_it_loads_both_training_commands():
    load()

    catc = TrainingCommand.objects.get(code="cat-c")
    stc = TrainingCommand.objects.get(code="st-c")
    assert (catc.nation_id, catc.city, catc.name_uk) == ("PL", "Żagań", "Командування загальновійськової підготовки")
    assert (stc.nation_id, stc.city, stc.name_uk) == ("DE", "Strausberg", "Командування спеціальної підготовки")


@pytest.mark.django_db
def test_eu_sites_run_under_the_right_command():
    load()

    sites = Academy.objects.exclude(nation_id="UA")
    assert sites.count() >= 10
    assert set(sites.values_list("kind", flat=True)) <= {"training_centre", "range"}
    assert not sites.filter(nation_id="DE").exclude(command__code="st-c").exists()
    assert not sites.exclude(nation_id="DE").exclude(command__code="cat-c").exists()
    assert sites.filter(nation_id="ES", city_en="Toledo").exists()
    assert all(300 <= site.seat_capacity <= 2000 for site in sites)


@pytest.mark.django_db
def test_it_loads_the_ten_ukrainian_institutions_closed_and_bilingual():
    load()

    institutions = Academy.objects.filter(nation_id="UA")
    assert institutions.count() == 10
    for institution in institutions:
        assert institution.command_id is None
        assert institution.kind in {"academy", "institute", "university"}
        assert institution.name_uk and institution.city_uk
        assert any("\u0400" <= letter <= "\u04ff" for letter in institution.name_uk)
        assert not institution.accepts_cohorts
        assert institution.security_status == "closed"
    assert {"Lviv", "Kyiv", "Zhytomyr", "Kharkiv", "Odesa"} == set(institutions.values_list("city_en", flat=True))
    alias = AcademyAlias.objects.get(name="Ivan Cherniakhovskyi National Defence University of Ukraine")
    assert alias.academy.name_en == "National Defence University of Ukraine"
    assert alias.used_until == dt.date(2023, 6, 30)


@pytest.mark.django_db
def test_a_rerun_keeps_the_gating_of_ukrainian_sites_and_the_positions():
    load()
    lviv = Academy.objects.get(slug="nals-lviv")
    lviv.accepts_cohorts, lviv.security_status = True, "open"
    lviv.save()
    position = MandatePosition.objects.get(mandate__reference="EUMAM-UA-2026", nation_id="PL")
    position.position = "support"
    position.save()
    milestone = Milestone.objects.get(value=80_000)
    milestone.first_reached_on = dt.date(2025, 8, 29)
    milestone.save()

    load()

    lviv.refresh_from_db()
    position.refresh_from_db()
    milestone.refresh_from_db()
    assert (lviv.accepts_cohorts, lviv.security_status) == (True, "open")
    assert position.position == "support"
    assert milestone.first_reached_on == dt.date(2025, 8, 29)


@pytest.mark.django_db
def test_the_catalogue_covers_every_course_family():
    load()

    assert set(Course.objects.values_list("family", flat=True)) == set(Course.Family.values)
    for course in Course.objects.all():
        assert 7 <= course.duration_days <= 60
        assert course.max_cohort_size >= course.trainees_per_trainer >= 1
        assert course.name_uk


@pytest.mark.django_db
def test_the_target_ledger_rises_in_date_order():
    load()

    ledger = list(Target.objects.order_by("in_force_from").values_list("value", flat=True))
    assert ledger == [15_000, 30_000, 40_000, 75_000, 80_000]
    assert all(target.source and target.label for target in Target.objects.all())
    assert list(Milestone.objects.values_list("value", flat=True)) == [80_000, 90_000, 100_000]


@pytest.mark.django_db
def test_the_draft_mandate_for_ukraine_awaits_every_member_state():
    load()

    draft = MandateVersion.objects.get(reference="EUMAM-UA-2026")
    assert draft.status == "draft" and draft.covers_training_in_ukraine
    assert draft.positions.count() == 27
    assert set(draft.positions.values_list("position", flat=True)) == {"unknown"}
    extension = MandateVersion.objects.get(reference="EUMAM-2024")
    assert extension.budget_eur == 409_000_000
    assert extension.valid_until == dt.date(2026, 11, 15)
    assert not extension.covers_training_in_ukraine


@pytest.mark.django_db
def test_partner_organisations_name_their_scope():
    load()

    assert Organisation.objects.get(slug="mission-hq").kind == "mission_hq"
    assert Organisation.objects.get(slug="catc").command.code == "cat-c"
    assert Organisation.objects.get(slug="stc").command.code == "st-c"
    ministries = set(Organisation.objects.filter(kind="ministry").values_list("nation_id", flat=True))
    assert ministries == {"PL", "DE", "ES", "FR", "IT", "NL", "LT", "NO", "UA"}
    assert Organisation.objects.get(kind="academy").academy.slug == "nals-lviv"
