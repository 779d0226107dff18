"""ATR submissions answered by the engine and exported by the CLI."""

import json

import pytest
from click.testing import CliRunner

from answering.engine import AnswerEngine
from atr.answers import AtrSubmissionFacts
from atr.store import AtrStore
from atr.validation import validate
from cws.cli import cli


def add(store, office, ip_type, year):
    s = validate(
        office, ip_type, year, f"https://{office.lower()}.example.org/{ip_type}", "", current_year=2026, first_year=2000
    )
    store.submit(s, "T", "U")


@pytest.fixture()
def store(tmp_path):
    store = AtrStore(tmp_path)
    add(store, "GB", "TM", 2024)
    add(store, "JP", "TM", 2024)
    add(store, "JP", "PI", 2024)
    return store


@pytest.fixture()
def engine_with_atrs(built_settings, embedder, store):
    return AnswerEngine(built_settings, embedder, providers=[AtrSubmissionFacts(store)])


def test_which_offices_submitted_is_answered_from_the_database(engine_with_atrs, store):
    answer = engine_with_atrs.ask("Which offices submitted trademark ATRs for 2024?")
    assert answer.text == "ATRs on 2024 activities were submitted by Trademark Information (2): GB, JP."
    assert {s.url for s in answer.sources} == {"https://gb.example.org/TM", "https://jp.example.org/TM"}
    add(store, "FR", "TM", 2024)  # a new submission shows at once, no reindex
    assert "FR, GB, JP" in engine_with_atrs.ask("Which offices submitted trademark ATRs for 2024?").text


def test_one_office(engine_with_atrs):
    answer = engine_with_atrs.ask("Has GB submitted its ATRs for 2024?")
    assert answer.text.startswith(
        "GB (United Kingdom) has submitted ATRs on 2024 activities for: Trademark Information."
    )


def test_document_questions_are_not_taken_over(engine_with_atrs):
    answer = engine_with_atrs.ask("How many trademark ATRs were received on 2022 activities?")
    assert answer.text.endswith(": 18")


def test_export_cli(tmp_path, store):
    env = {"CWS_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["atr", "export", "--year", "2024", "--format", "json"], env=env)
    rows = json.loads(result.output)
    assert [(r["office"], r["type"]) for r in rows] == [("GB", "TM"), ("JP", "PI"), ("JP", "TM")]
    out = tmp_path / "atr.csv"
    CliRunner().invoke(cli, ["atr", "export", "--year", "2024", "--out", str(out)], env=env)
    assert out.read_text().splitlines()[0].startswith("office,office_name,type")
