"""The training record's shape, pinned once for the tests that hold the record and its schema to it.

Written out here, never read from the code: a new field fails those tests until someone decides, on purpose, that it
is no name or other identifying detail of the person.
"""

TRAINING_RECORD_FIELDS = ("format", "issuer", "issued_at", "trainee", "courses")
TRAINING_RECORD_COURSE_FIELDS = (
    "course",
    "course_name_en",
    "course_name_uk",
    "course_version",
    "site",
    "site_name_en",
    "site_name_uk",
    "site_nation",
    "cohort",
    "starts_on",
    "ends_on",
    "outcome",
    "outcome_on",
)
