"""Nations, the two training commands and the partner organisations."""

from __future__ import annotations

# NATIONS
# (ISO alpha-2 code, English name, Ukrainian name, contributes trainers)
# 24 of the 27 member states offered training modules; Austria, Ireland and Malta are taken as the three
# militarily neutral states that did not.
EU_MEMBER_STATES: list[tuple[str, str, str, bool]] = [
    ("AT", "Austria", "Австрія", False),
    ("BE", "Belgium", "Бельгія", True),
    ("BG", "Bulgaria", "Болгарія", True),
    ("CY", "Cyprus", "Кіпр", True),
    ("CZ", "Czechia", "Чехія", True),
    ("DE", "Germany", "Німеччина", True),
    ("DK", "Denmark", "Данія", True),
    ("EE", "Estonia", "Естонія", True),
    ("ES", "Spain", "Іспанія", True),
    ("FI", "Finland", "Фінляндія", True),
    ("FR", "France", "Франція", True),
    ("GR", "Greece", "Греція", True),
    ("HR", "Croatia", "Хорватія", True),
    ("HU", "Hungary", "Угорщина", True),
    ("IE", "Ireland", "Ірландія", False),
    ("IT", "Italy", "Італія", True),
    ("LT", "Lithuania", "Литва", True),
    ("LU", "Luxembourg", "Люксембург", True),
    ("LV", "Latvia", "Латвія", True),
    ("MT", "Malta", "Мальта", False),
    ("NL", "Netherlands", "Нідерланди", True),
    ("PL", "Poland", "Польща", True),
    ("PT", "Portugal", "Португалія", True),
    ("RO", "Romania", "Румунія", True),
    ("SE", "Sweden", "Швеція", True),
    ("SI", "Slovenia", "Словенія", True),
    ("SK", "Slovakia", "Словаччина", True),
]

# Third states: Norway offers modules and Canada trains at CAT-C; Ukraine is the trained nation.
THIRD_STATES: list[tuple[str, str, str, bool]] = [
    ("CA", "Canada", "Канада", True),
    ("NO", "Norway", "Норвегія", True),
    ("UA", "Ukraine", "Україна", False),
]

# TRAINING COMMANDS
TRAINING_COMMANDS: list[dict] = [
    {
        "code": "cat-c",
        "name_en": "Combined Arms Training Command (CAT-C)",
        "name_uk": "Командування загальновійськової підготовки",
        "nation": "PL",
        "city": "Żagań",
    },
    {
        "code": "st-c",
        "name_en": "Special Training Command (ST-C)",
        "name_uk": "Командування спеціальної підготовки",
        "nation": "DE",
        "city": "Strausberg",
    },
]

# PARTNER ORGANISATIONS
# kind decides which one of nation, command and academy is named (see Organisation's check constraint).
ORGANISATIONS: list[dict] = [
    {"slug": "mission-hq", "name": "EUMAM Ukraine mission HQ (MPCC)", "kind": "mission_hq"},
    {"slug": "catc", "name": "Combined Arms Training Command (CAT-C)", "kind": "training_command", "command": "cat-c"},
    {"slug": "stc", "name": "Special Training Command (ST-C)", "kind": "training_command", "command": "st-c"},
    {"slug": "mod-pl", "name": "Ministry of National Defence of Poland", "kind": "ministry", "nation": "PL"},
    {"slug": "mod-de", "name": "Federal Ministry of Defence of Germany", "kind": "ministry", "nation": "DE"},
    {"slug": "mod-es", "name": "Ministry of Defence of Spain", "kind": "ministry", "nation": "ES"},
    {"slug": "mod-fr", "name": "Ministry of the Armed Forces of France", "kind": "ministry", "nation": "FR"},
    {"slug": "mod-it", "name": "Ministry of Defence of Italy", "kind": "ministry", "nation": "IT"},
    {"slug": "mod-nl", "name": "Ministry of Defence of the Netherlands", "kind": "ministry", "nation": "NL"},
    {"slug": "mod-lt", "name": "Ministry of National Defence of Lithuania", "kind": "ministry", "nation": "LT"},
    {"slug": "mod-no", "name": "Ministry of Defence of Norway", "kind": "ministry", "nation": "NO"},
    # Ukraine's ministry (issue 18): it records the units' feedback on the cohorts its instructors co-teach.
    {"slug": "mod-ua", "name": "Ministry of Defence of Ukraine", "kind": "ministry", "nation": "UA"},
    {
        "slug": "nals-lviv",
        "name": "Hetman Petro Sahaidachnyi National Academy of Land Forces",
        "kind": "academy",
        "academy": "nals-lviv",
    },
]
