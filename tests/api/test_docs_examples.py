"""The curl examples and key creations of docs/api.md, run in order through the test client: the guide cannot rot.

The examples are read from the guide's `sh` blocks: each `curl` command's method, path, headers and body, with
`$API` and `$KEY` as the guide sets them, and the `<PLACEHOLDERS>` a reader fills in by hand filled in from the
answers before them (the cohort just planned, the endpoint just registered, the ETag just read) or from the small
world below (a running cohort, a trainer who is free). Each answers 2xx, or the status its comment names (`# → 412`).
A flag this reader does not know, or a placeholder no rule fills, fails the test: the guide then needs a look.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from academies.models import Academy, Course, Nation, Organisation
from academies.scope import SYSTEM
from academies.services import api_key_create
from config import clock
from tests.factories import CohortFactory, TrainerAvailabilityFactory, TrainerFactory
from trainees.models import Cohort

pytestmark = pytest.mark.django_db

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"
API = "/api/v1"
EXPECTED = re.compile(r"→ (\d{3})\b")


@dataclasses.dataclass
class Example:
    text: str
    comment: str
    method: str = "GET"
    url: str = ""
    headers: list[str] = dataclasses.field(default_factory=list)
    body: str | None = None

    @property
    def expected(self) -> int | None:
        found = EXPECTED.search(self.comment)
        return int(found.group(1)) if found else None


def shell_commands(block: str) -> list[tuple[str, str]]:
    """The commands of a shell block as (command, its comments): a command ends at a newline outside quotes and
    without a trailing backslash; a `#` that starts a word outside quotes comments out the rest of its line."""
    commands: list[tuple[str, str]] = []
    command, comment, quote, index = [], [], "", 0
    while index < len(block):
        char = block[index]
        if quote:
            command.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            command.append(char)
        elif char == "#" and (not command or command[-1].isspace()):
            end = block.find("\n", index)
            end = len(block) if end < 0 else end
            comment.append(block[index + 1 : end].strip())
            index = end
            continue
        elif char == "\\" and block[index + 1 : index + 2] == "\n":
            command.append(" ")
            index += 2
            continue
        elif char == "\n":
            if "".join(command).strip():
                commands.append(("".join(command).strip(), " ".join(comment)))
            command, comment = [], []
        else:
            command.append(char)
        index += 1
    if "".join(command).strip():
        commands.append(("".join(command).strip(), " ".join(comment)))
    return commands


def _commands(guide: str):
    for block in re.findall(r"^```sh\n(.*?)^```", guide, flags=re.S | re.M):
        for text, comment in shell_commands(block):
            yield text, comment, shlex.split(text)


def management_examples(guide: str) -> list[list[str]]:
    """The guide's `manage.py` commands (the keys' creation), as the command's name and its arguments."""
    examples = []
    for _text, _comment, words in _commands(guide):
        # `python manage.py …` or `.venv/bin/python manage.py …`
        if len(words) > 2 and words[0].endswith("python") and words[1] == "manage.py":
            examples.append(words[2:])
    return examples


def curl_examples(guide: str) -> list[Example]:
    examples = []
    for text, comment, words in _commands(guide):
        if words[0] != "curl":
            continue  # the key's creation and the exports of §3
        if "|" in words:
            words = words[: words.index("|")]  # piped to json.tool or grep: the request is what counts
        examples.append(_curl_example(text, comment, words[1:]))
    return examples


def _curl_example(text: str, comment: str, arguments: list[str]) -> Example:
    """The request a curl command's arguments make, as curl reads them."""
    example = Example(text=text, comment=comment)
    rest = iter(arguments)
    for word in rest:
        if word in ("-s", "-i"):
            continue
        if word == "-X":
            example.method = next(rest)
        elif word == "-H":
            example.headers.append(next(rest))
        elif word == "-d":
            example.body = next(rest)
            if example.method == "GET":
                example.method = "POST"
        elif word.startswith("-"):
            raise AssertionError(f"docs/api.md: a curl flag the test does not read, {word}: {text}")
        else:
            example.url = word
    return example


def _fill(text: str, values: dict[str, str], example: Example) -> str:
    text = text.replace("$API", API)
    for name, value in values.items():
        text = text.replace(name, value)
    unknown = re.findall(r"<[A-Z_]+>", text)
    assert not unknown, f"docs/api.md uses {unknown} before anything gives it a value: {example.text}"
    return text


@pytest.fixture
def reference_world():
    """The reference data `make run` loads (CAT-C, its sites, the course catalogue) and what the walkthrough picks
    from the demo data: a free qualified trainer, two running cohorts and a running cohort with a roster."""
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    catc = Organisation.objects.get(slug="catc")
    site = Academy.objects.get(slug="training-centre-zagan")
    course = Course.objects.get(code="basic-soldier")
    today = clock.today()
    running = {"course": course, "academy": site, "status": Cohort.Status.IN_TRAINING, "seats": 40}
    return {
        "key": api_key_create(actor=SYSTEM, organisation=catc, name="guide walkthrough")[1],
        "site": site,
        "course": course,
        "running": CohortFactory(starts_on=today - dt.timedelta(days=10), **running),
        "other_running": CohortFactory(starts_on=today - dt.timedelta(days=11), **running),
        "roster": CohortFactory(starts_on=today - dt.timedelta(days=12), has_roster=True, **running),
    }


def _plan_dates(today: dt.date) -> dict[str, str]:
    """The days the walkthrough plans its cohorts on: some weeks ahead of today, so the guide holds on any day."""
    starts_on = today + dt.timedelta(days=60)
    later_starts_on = starts_on + dt.timedelta(days=42)
    return {
        "<STARTS_ON>": starts_on.isoformat(),
        "<ENDS_ON>": (starts_on + dt.timedelta(days=34)).isoformat(),
        "<LATER_STARTS_ON>": later_starts_on.isoformat(),
        "<LATER_ENDS_ON>": (later_starts_on + dt.timedelta(days=34)).isoformat(),
    }


def _free_trainer(world, examples: list[Example], dates: dict[str, str]) -> str:
    """A trainer qualified for the walkthrough's course and available over the cohorts it plans."""
    planned = [example for example in examples if example.url == "$API/cohorts/" and example.body]
    assert planned, "docs/api.md no longer plans a cohort: the walkthrough's examples need one"
    body = json.loads(_fill(planned[0].body or "", {**dates, "<ID>": "0"}, planned[0]))
    trainer = TrainerFactory(nation=Nation.objects.get(code="PL"), qualifications=[world["course"]])
    TrainerAvailabilityFactory(
        trainer=trainer,
        starts_on=dt.date.fromisoformat(body["starts_on"]) - dt.timedelta(days=7),
        ends_on=dt.date.fromisoformat(body["ends_on"]) + dt.timedelta(days=7),
    )
    return trainer.reference


def test_every_curl_example_of_the_integration_guide_works_as_written(reference_world):
    examples = curl_examples(GUIDE.read_text())
    assert len(examples) >= 30, "the guide's curl examples were not found"
    client = APIClient()
    dates = _plan_dates(clock.today())
    values = {
        **dates,
        "<TODAY>": clock.today().isoformat(),
        "<SINCE>": (clock.now() - dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<RUNNING_ID>": str(reference_world["running"].pk),
        "<OTHER_RUNNING_ID>": str(reference_world["other_running"].pk),
        "<ROSTER_COHORT_ID>": str(reference_world["roster"].pk),
        "<REFERENCE>": _free_trainer(reference_world, examples, dates),
    }
    key_header = f"Authorization: Api-Key {reference_world['key']}"

    for example in examples:
        cache.clear()  # the walkthrough is one reader's afternoon, not a burst against the rate limit
        url = _fill(example.url, values, example)
        headers = {}
        for header in example.headers:
            name, _colon, value = _fill(header.replace("$KEY", key_header), values, example).partition(":")
            headers["HTTP_" + name.strip().upper().replace("-", "_")] = value.strip()
        content_type = headers.pop("HTTP_CONTENT_TYPE", None)
        body = _fill(example.body, values, example) if example.body is not None else None
        if body is not None:
            json.loads(body)  # the body a reader pastes is valid JSON once filled in
            assert content_type == "application/json", f"a body without its Content-Type: {example.text}"

        response = client.generic(example.method, url, body or "", content_type or "application/json", **headers)

        expected = example.expected
        if expected is None:
            assert 200 <= response.status_code < 300, (example.text, response.status_code, response.content[:500])
        else:
            assert response.status_code == expected, (example.text, response.status_code, response.content[:500])
        data = response.json() if response.content and response["Content-Type"].startswith("application/json") else {}
        if example.method == "GET" and response.has_header("ETag"):
            values["<ETAG>"] = response["ETag"]
        if example.method == "GET" and isinstance(data, dict) and data.get("next"):
            values["<NEXT>"] = data["next"]
        if example.method == "POST" and url == f"{API}/cohorts/" and response.status_code == 201:
            values["<ID>"] = str(data["id"])
        if example.method == "POST" and url == f"{API}/webhooks/" and response.status_code == 201:
            values["<HOOK_ID>"] = str(data["id"])


def test_every_management_command_of_the_integration_guide_works_as_written(reference_world):
    examples = management_examples(GUIDE.read_text())
    assert len(examples) >= 3, "the guide's key creation was not found"
    values = {"<YYYY-MM-DD>": (clock.today() + dt.timedelta(days=90)).isoformat()}
    for name, *arguments in examples:
        filled = [
            _fill(argument, values, Example(text=" ".join([name, *arguments]), comment="")) for argument in arguments
        ]
        output = io.StringIO()
        call_command(name, *filled, stdout=output, stderr=output)
        assert "Store it now" in output.getvalue(), (name, filled, output.getvalue())


def test_the_reader_of_the_guide_finds_flags_bodies_and_expected_statuses():
    """The reader itself: a body across lines, continuations, a `#` inside quotes, comments with apostrophes, pipes."""
    block = """\
# a comment line about the trainer's window
curl -s -H "$KEY" -H "Content-Type: application/json" \\
  -d '{"a": 1,
       "b": "# not a comment"}' "$API/x/"   # → 412: it's stale
curl -s -i -H "$KEY" "$API/y/" | grep -i etag
"""
    examples = curl_examples(f"```sh\n{block}```\n")

    assert [(e.method, e.url, e.expected) for e in examples] == [("POST", "$API/x/", 412), ("GET", "$API/y/", None)]
    assert json.loads(examples[0].body) == {"a": 1, "b": "# not a comment"}
    assert examples[1].headers == ["$KEY"]
