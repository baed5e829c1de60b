"""The mission's reference data as plain structures: nations, commands, sites, courses, targets and mandates.

`manage.py load_reference_data` writes these into the database, keyed on each row's natural key. The EU host
sites are illustrative examples; the Ukrainian institutions, the timeline of targets and the mandates follow
the public sources named in docs and in each row's `source`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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

# EU HOST SITES
# Illustrative examples. CAT-C runs the sites outside Germany; ST-C runs Germany's.
EU_SITES: list[dict] = [
    # Poland, under CAT-C
    {
        "slug": "training-centre-zagan",
        "kind": "training_centre",
        "name_en": "Training Centre Żagań",
        "name_uk": "Навчальний центр Жагань",
        "nation": "PL",
        "city_en": "Żagań",
        "city_uk": "Жагань",
        "command": "cat-c",
        "seat_capacity": 2000,
    },
    {
        "slug": "training-area-drawsko",
        "kind": "range",
        "name_en": "Training Area Drawsko Pomorskie",
        "name_uk": "Полігон Дравсько-Поморське",
        "nation": "PL",
        "city_en": "Drawsko Pomorskie",
        "city_uk": "Дравсько-Поморське",
        "command": "cat-c",
        "seat_capacity": 1200,
    },
    {
        "slug": "training-centre-nowa-deba",
        "kind": "training_centre",
        "name_en": "Training Centre Nowa Dęba",
        "name_uk": "Навчальний центр Нова Демба",
        "nation": "PL",
        "city_en": "Nowa Dęba",
        "city_uk": "Нова Демба",
        "command": "cat-c",
        "seat_capacity": 900,
    },
    {
        "slug": "training-centre-orzysz",
        "kind": "training_centre",
        "name_en": "Training Centre Orzysz",
        "name_uk": "Навчальний центр Ожиш",
        "nation": "PL",
        "city_en": "Orzysz",
        "city_uk": "Ожиш",
        "command": "cat-c",
        "seat_capacity": 800,
    },
    # Germany, under ST-C
    {
        "slug": "training-area-oberlausitz",
        "kind": "range",
        "name_en": "Training Area Oberlausitz",
        "name_uk": "Полігон Оберлаузіц",
        "nation": "DE",
        "city_en": "Weißkeißel",
        "city_uk": "Вайскайсель",
        "command": "st-c",
        "seat_capacity": 1500,
    },
    {
        "slug": "training-centre-munster",
        "kind": "training_centre",
        "name_en": "Training Centre Munster",
        "name_uk": "Навчальний центр Мунстер",
        "nation": "DE",
        "city_en": "Munster",
        "city_uk": "Мунстер",
        "command": "st-c",
        "seat_capacity": 1200,
    },
    {
        "slug": "training-area-klietz",
        "kind": "range",
        "name_en": "Training Area Klietz",
        "name_uk": "Полігон Кліц",
        "nation": "DE",
        "city_en": "Klietz",
        "city_uk": "Кліц",
        "command": "st-c",
        "seat_capacity": 900,
    },
    {
        "slug": "training-centre-altmark",
        "kind": "training_centre",
        "name_en": "Training Centre Altmark",
        "name_uk": "Навчальний центр Альтмарк",
        "nation": "DE",
        "city_en": "Letzlingen",
        "city_uk": "Лецлінген",
        "command": "st-c",
        "seat_capacity": 800,
    },
    # Spain, under CAT-C
    {
        "slug": "toledo-infantry-academy-site",
        "kind": "training_centre",
        "name_en": "Toledo Infantry Academy site",
        "name_uk": "Майданчик Піхотної академії в Толедо",
        "nation": "ES",
        "city_en": "Toledo",
        "city_uk": "Толедо",
        "command": "cat-c",
        "seat_capacity": 600,
    },
    {
        "slug": "training-area-san-gregorio",
        "kind": "range",
        "name_en": "Training Area San Gregorio",
        "name_uk": "Полігон Сан-Грегоріо",
        "nation": "ES",
        "city_en": "Zaragoza",
        "city_uk": "Сарагоса",
        "command": "cat-c",
        "seat_capacity": 500,
    },
    # Other member states, under CAT-C
    {
        "slug": "training-centre-cesano",
        "kind": "training_centre",
        "name_en": "Training Centre Cesano",
        "name_uk": "Навчальний центр Чезано",
        "nation": "IT",
        "city_en": "Rome",
        "city_uk": "Рим",
        "command": "cat-c",
        "seat_capacity": 400,
    },
    {
        "slug": "training-camp-mourmelon",
        "kind": "training_centre",
        "name_en": "Training Camp Mourmelon",
        "name_uk": "Навчальний табір Мурмелон",
        "nation": "FR",
        "city_en": "Mourmelon-le-Grand",
        "city_uk": "Мурмелон-ле-Гран",
        "command": "cat-c",
        "seat_capacity": 500,
    },
    {
        "slug": "training-area-oirschot",
        "kind": "range",
        "name_en": "Training Area Oirschot",
        "name_uk": "Полігон Ойршот",
        "nation": "NL",
        "city_en": "Oirschot",
        "city_uk": "Ойршот",
        "command": "cat-c",
        "seat_capacity": 300,
    },
    {
        "slug": "training-area-libava",
        "kind": "range",
        "name_en": "Training Area Libavá",
        "name_uk": "Полігон Лібава",
        "nation": "CZ",
        "city_en": "Libavá",
        "city_uk": "Лібава",
        "command": "cat-c",
        "seat_capacity": 400,
    },
    {
        "slug": "training-area-pabrade",
        "kind": "range",
        "name_en": "Training Area Pabradė",
        "name_uk": "Полігон Пабраде",
        "nation": "LT",
        "city_en": "Pabradė",
        "city_uk": "Пабраде",
        "command": "cat-c",
        "seat_capacity": 400,
    },
]

# UKRAINIAN INSTITUTIONS
# Nine joined the European Security and Defence College network in May 2025 (unn.ua). They accept no
# cohorts until a mandate, a ceasefire and their security status allow it, so the loader creates them
# closed and never reopens them: mission gating and coordinators own that state.
UKRAINIAN_INSTITUTIONS: list[dict] = [
    {
        "slug": "nals-lviv",
        "kind": "academy",
        "name_en": "Hetman Petro Sahaidachnyi National Academy of Land Forces",
        "name_uk": "Національна академія сухопутних військ імені гетьмана Петра Сагайдачного",
        "city_en": "Lviv",
        "city_uk": "Львів",
        "seat_capacity": 1500,
    },
    {
        "slug": "ndu-kyiv",
        "kind": "university",
        "name_en": "National Defence University of Ukraine",
        "name_uk": "Національний університет оборони України",
        "city_en": "Kyiv",
        "city_uk": "Київ",
        "seat_capacity": 1200,
    },
    {
        "slug": "mi-knu-kyiv",
        "kind": "institute",
        "name_en": "Military Institute of Taras Shevchenko National University of Kyiv",
        "name_uk": "Військовий інститут Київського національного університету імені Тараса Шевченка",
        "city_en": "Kyiv",
        "city_uk": "Київ",
        "seat_capacity": 600,
    },
    {
        "slug": "mitit-kyiv",
        "kind": "institute",
        "name_en": "Heroes of Kruty Military Institute of Telecommunications and Informatization",
        "name_uk": "Військовий інститут телекомунікацій та інформатизації імені Героїв Крут",
        "city_en": "Kyiv",
        "city_uk": "Київ",
        "seat_capacity": 700,
    },
    {
        "slug": "zhmi-zhytomyr",
        "kind": "institute",
        "name_en": "S. P. Korolyov Zhytomyr Military Institute",
        "name_uk": "Житомирський військовий інститут імені С. П. Корольова",
        "city_en": "Zhytomyr",
        "city_uk": "Житомир",
        "seat_capacity": 700,
    },
    {
        "slug": "knafu-kharkiv",
        "kind": "university",
        "name_en": "Ivan Kozhedub Kharkiv National Air Force University",
        "name_uk": "Харківський національний університет Повітряних Сил імені Івана Кожедуба",
        "city_en": "Kharkiv",
        "city_uk": "Харків",
        "seat_capacity": 1000,
    },
    {
        "slug": "mitf-kharkiv",
        "kind": "institute",
        "name_en": 'Military Institute of Tank Forces of NTU "KhPI"',
        "name_uk": "Військовий інститут танкових військ НТУ «Харківський політехнічний інститут»",
        "city_en": "Kharkiv",
        "city_uk": "Харків",
        "seat_capacity": 500,
    },
    {
        "slug": "mli-kharkiv",
        "kind": "institute",
        "name_en": "Military Law Institute of Yaroslav the Wise National Law University",
        "name_uk": "Військово-юридичний інститут Національного юридичного університету імені Ярослава Мудрого",
        "city_en": "Kharkiv",
        "city_uk": "Харків",
        "seat_capacity": 300,
    },
    {
        "slug": "oma-odesa",
        "kind": "academy",
        "name_en": "Odesa Military Academy",
        "name_uk": "Військова академія (м. Одеса)",
        "city_en": "Odesa",
        "city_uk": "Одеса",
        "seat_capacity": 1000,
    },
    {
        "slug": "ni-oma-odesa",
        "kind": "institute",
        "name_en": 'Naval Institute of the National University "Odesa Maritime Academy"',
        "name_uk": "Військово-морський інститут Національного університету «Одеська морська академія»",
        "city_en": "Odesa",
        "city_uk": "Одеса",
        "seat_capacity": 400,
    },
]

# (academy slug, alias, language, used until)
ACADEMY_ALIASES: list[tuple[str, str, str, dt.date | None]] = [
    ("ndu-kyiv", "Ivan Cherniakhovskyi National Defence University of Ukraine", "en", dt.date(2023, 6, 30)),
    ("ndu-kyiv", "Національний університет оборони України імені Івана Черняховського", "uk", dt.date(2023, 6, 30)),
]

# TOPICS (issue 18): what a course version gives its hours to. The adaptations after criticism from the front
# (drones, air threats, electronic warfare, trench clearing) sit next to the long-standing subjects.
TOPICS: list[dict] = [
    {"code": "drones", "name_en": "Drones and counter-drone drills", "name_uk": "Дрони та протидія дронам"},
    {
        "code": "air-threats",
        "name_en": "Air threats and air-raid warning",
        "name_uk": "Повітряні загрози та оповіщення",
    },
    {"code": "electronic-warfare", "name_en": "Electronic warfare", "name_uk": "Радіоелектронна боротьба"},
    {"code": "trench-clearing", "name_en": "Trench clearing", "name_uk": "Зачистка траншей"},
    {"code": "tactical-medicine", "name_en": "Tactical medicine", "name_uk": "Тактична медицина"},
    {"code": "fires", "name_en": "Fires and indirect fire", "name_uk": "Вогнева підтримка та непрямий вогонь"},
    {"code": "marksmanship", "name_en": "Marksmanship", "name_uk": "Стрілецька підготовка"},
    {"code": "fieldcraft", "name_en": "Fieldcraft and fortification", "name_uk": "Польова виучка та фортифікація"},
]

# COURSE CATALOGUE
# One or more modules per EEAS course family. Durations and ratios are plausible, not official.
COURSES: list[dict] = [
    {
        "code": "basic-soldier",
        "family": "basic",
        "level": "individual",
        "name_en": "Basic soldier training",
        "name_uk": "Базова загальновійськова підготовка",
        "duration_days": 35,
        "max_cohort_size": 200,
        "trainees_per_trainer": 12,
    },
    {
        "code": "basic-infantry-refresher",
        "family": "basic",
        "level": "individual",
        "name_en": "Infantry refresher course",
        "name_uk": "Курс відновлення піхотної підготовки",
        "duration_days": 21,
        "max_cohort_size": 150,
        "trainees_per_trainer": 12,
    },
    {
        "code": "advanced-marksman",
        "family": "advanced",
        "level": "individual",
        "name_en": "Designated marksman course",
        "name_uk": "Курс влучного стрільця",
        "duration_days": 28,
        "max_cohort_size": 40,
        "trainees_per_trainer": 6,
    },
    {
        "code": "advanced-ifv-crew",
        "family": "advanced",
        "level": "individual",
        "name_en": "Infantry fighting vehicle crew training",
        "name_uk": "Підготовка екіпажів бойових машин піхоти",
        "duration_days": 42,
        "max_cohort_size": 60,
        "trainees_per_trainer": 8,
    },
    {
        "code": "medical-combat-lifesaver",
        "family": "medical",
        "level": "specialised",
        "name_en": "Combat lifesaver (tactical combat casualty care)",
        "name_uk": "Тактична медицина: рятувальник у бою",
        "duration_days": 14,
        "max_cohort_size": 60,
        "trainees_per_trainer": 8,
    },
    {
        "code": "medical-combat-medic",
        "family": "medical",
        "level": "specialised",
        "name_en": "Combat medic course",
        "name_uk": "Курс бойового медика",
        "duration_days": 42,
        "max_cohort_size": 30,
        "trainees_per_trainer": 5,
    },
    {
        "code": "cbrn-defence",
        "family": "cbrn",
        "level": "specialised",
        "name_en": "CBRN defence course",
        "name_uk": "Курс радіаційного, хімічного та біологічного захисту",
        "duration_days": 14,
        "max_cohort_size": 40,
        "trainees_per_trainer": 8,
    },
    {
        "code": "demining-eod",
        "family": "demining",
        "level": "specialised",
        "name_en": "Demining and explosive ordnance disposal",
        "name_uk": "Розмінування та знешкодження вибухонебезпечних предметів",
        "duration_days": 35,
        "max_cohort_size": 30,
        "trainees_per_trainer": 5,
    },
    {
        "code": "logistics-supply",
        "family": "logistics",
        "level": "specialised",
        "name_en": "Military logistics and supply course",
        "name_uk": "Курс військової логістики та забезпечення",
        "duration_days": 21,
        "max_cohort_size": 40,
        "trainees_per_trainer": 10,
    },
    {
        "code": "communications-tactical",
        "family": "communications",
        "level": "specialised",
        "name_en": "Tactical communications course",
        "name_uk": "Курс тактичного зв'язку",
        "duration_days": 21,
        "max_cohort_size": 40,
        "trainees_per_trainer": 8,
    },
    {
        "code": "maintenance-vehicle-repair",
        "family": "maintenance",
        "level": "specialised",
        "name_en": "Vehicle maintenance and repair",
        "name_uk": "Технічне обслуговування та ремонт техніки",
        "duration_days": 28,
        "max_cohort_size": 40,
        "trainees_per_trainer": 8,
    },
    {
        "code": "leadership-section",
        "family": "leadership",
        "level": "section",
        "name_en": "Section and squad leader course",
        "name_uk": "Курс командира відділення",
        "duration_days": 28,
        "max_cohort_size": 60,
        "trainees_per_trainer": 10,
    },
    {
        "code": "leadership-platoon",
        "family": "leadership",
        "level": "platoon",
        "name_en": "Platoon leader course",
        "name_uk": "Курс командира взводу",
        "duration_days": 35,
        "max_cohort_size": 40,
        "trainees_per_trainer": 8,
    },
    {
        "code": "leadership-company",
        "family": "leadership",
        "level": "company",
        "name_en": "Company commander course",
        "name_uk": "Курс командира роти",
        "duration_days": 42,
        "max_cohort_size": 30,
        "trainees_per_trainer": 6,
    },
    {
        "code": "collective-company",
        "family": "collective",
        "level": "company",
        "name_en": "Company collective training",
        "name_uk": "Бойове злагодження роти",
        "duration_days": 42,
        "max_cohort_size": 150,
        "trainees_per_trainer": 15,
    },
    {
        "code": "collective-battalion",
        "family": "collective",
        "level": "battalion",
        "name_en": "Battalion collective training",
        "name_uk": "Бойове злагодження батальйону",
        "duration_days": 56,
        "max_cohort_size": 500,
        "trainees_per_trainer": 20,
    },
    {
        "code": "pilot-module",
        "family": "pilot",
        "level": "specialised",
        "name_en": "Pilot training module (exploratory)",
        "name_uk": "Модуль льотної підготовки (пробний)",
        "duration_days": 60,
        "max_cohort_size": 12,
        "trainees_per_trainer": 3,
    },
]

# TARGET LEDGER
# Each target is in force from its date until the next one.
TARGETS: list[dict] = [
    {
        "in_force_from": dt.date(2022, 11, 15),
        "value": 15_000,
        "label": "Initial target at launch (2022)",
        "label_uk": "Початкова ціль на старті місії (2022)",
        "source": 'eu4ukraine.eu, "New EU military support mission to Ukraine"',
    },
    {
        "in_force_from": dt.date(2023, 3, 1),
        "value": 30_000,
        "label": "Target for 2023",
        "label_uk": "Ціль на 2023 рік",
        "source": "urdupoint.com (Borrell, Mar 2023)",
    },
    {
        "in_force_from": dt.date(2023, 8, 1),
        "value": 40_000,
        "label": "Raised target for the end of 2023",
        "label_uk": "Підвищена ціль на кінець 2023 року",
        "source": "politico.eu, Borrell new target 40,000",
    },
    {
        "in_force_from": dt.date(2024, 8, 30),
        "value": 75_000,
        "label": "Target raised in August 2024",
        "label_uk": "Ціль, підвищена в серпні 2024 року",
        "source": "euromaidanpress.com 2024/08/30",
    },
    {
        # 75,000 was reached in May 2025 (bundeswehr.de); the next figure the mission steered by was 80,000,
        # announced as passed on 29 Aug 2025.
        "in_force_from": dt.date(2025, 5, 15),
        "value": 80_000,
        "label": "80,000 figure, after 75,000 was reached",
        "label_uk": "Рубіж 80 000 після досягнення 75 000",
        "source": "bundeswehr.de, Germany EUMAM UA; unn.ua, EU ministers support training in Ukraine after ceasefire",
    },
]

# MILESTONE LADDER
MILESTONES: list[dict] = [
    {"value": 80_000, "label": "80,000 trained", "label_uk": "80 000 підготовлених"},
    {"value": 90_000, "label": "90,000 trained", "label_uk": "90 000 підготовлених"},
    {"value": 100_000, "label": "100,000 trained", "label_uk": "100 000 підготовлених"},
]

# MANDATE VERSIONS
MANDATES: list[dict] = [
    {
        "reference": "EUMAM-2022",
        "title": "EUMAM Ukraine: Council Decision (CFSP) 2022/1968",
        "covers_training_in_ukraine": False,
        "status": "superseded",
        "adopted_on": dt.date(2022, 10, 17),
        "valid_from": dt.date(2022, 11, 15),
        "valid_until": dt.date(2024, 11, 15),
        "budget_eur": None,
        "source": 'eu4ukraine.eu, "New EU military support mission to Ukraine"',
    },
    {
        "reference": "EUMAM-2024",
        "title": "EUMAM Ukraine: mandate extended to 15 November 2026",
        "covers_training_in_ukraine": False,
        "status": "adopted",
        "adopted_on": dt.date(2024, 11, 8),
        "valid_from": dt.date(2024, 11, 16),
        "valid_until": dt.date(2026, 11, 15),
        "budget_eur": Decimal("409000000.00"),
        "source": "menafn.com 1108865815",
    },
]

# A draft that would let EU trainers work inside Ukrainian academies after a ceasefire. Coordinators record
# the member states' positions and adopt it, so the loader only creates it and never overwrites it.
DRAFT_MANDATES: list[dict] = [
    {
        "reference": "EUMAM-UA-2026",
        "title": "EUMAM Ukraine: training inside Ukraine after a ceasefire",
        "covers_training_in_ukraine": True,
        "status": "draft",
        "source": "unn.ua, EU ministers support training in Ukraine after ceasefire",
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
