"""Words with several meanings carry a context, and the report's words come from the catalogue."""

from django.utils import translation

from mission.models import MandateVersion
from mission.reports import LABELS, labels_for
from trainees.models import Cohort, Enrollment


def test_a_withdrawn_mandate_and_a_withdrawn_trainee_are_different_words_in_ukrainian():
    with translation.override("uk"):
        mandate, trainee = str(MandateVersion.Status.WITHDRAWN.label), str(Enrollment.Status.WITHDRAWN.label)
        cohort_done, trainee_done = str(Cohort.Status.COMPLETED.label), str(Enrollment.Status.COMPLETED.label)

    assert (mandate, trainee) == ("відкликано", "вибув")
    assert (cohort_done, trainee_done) == ("завершено", "завершив навчання")
    with translation.override("en"):
        assert str(MandateVersion.Status.WITHDRAWN.label) == "withdrawn"


def test_every_report_label_has_its_ukrainian_wording():
    english, ukrainian = labels_for("en"), labels_for("uk")

    assert set(english) == set(ukrainian) == set(LABELS)
    untranslated = [key for key in LABELS if english[key] == ukrainian[key]]
    assert untranslated == []
    assert ukrainian["pace"] != english["pace"]
    assert labels_for("fr")["title"] == "Progress report"  # a language we do not have falls back to English


def test_every_counted_noun_of_the_report_has_its_ukrainian_forms():
    from mission.report_wording import PLURALS, counted

    with translation.override("uk"):
        ukrainian = {noun: [counted(noun, n, "uk") for n in (1, 2, 5)] for noun in PLURALS}
    with translation.override("en"):
        english = {noun: [counted(noun, n, "en") for n in (1, 2, 5)] for noun in PLURALS}
    untranslated = [noun for noun in PLURALS if set(ukrainian[noun]) & set(english[noun])]
    assert untranslated == []
    assert ukrainian["trainers"] == ["1 інструктор", "2 інструктори", "5 інструкторів"]
