"""The keyword fields on real bm25s indexes written to disk: ranking, identifiers, phrases,
filters, spelling, and indexes written by an older version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.model import DocumentMeta, Entities, Passage
from index import keyword
from index.errors import IndexOutdated
from index.keyword import KeywordIndex, KeywordQuery
from index.layout import BUILD_INFO
from index.validate import live_build
from index.version import IndexVersion, LiveIndex
from tests.conftest import make_settings

PASSAGES = [
    ("Sunset period", "The sunset period for ST.92 ends on July 1, 2027.", Entities(standards=("ST.92",))),
    ("Digital Access Service", "The Digital Access Service lets offices exchange priority documents.", Entities()),
    ("Services", "Many services are offered; access to them is digital in most offices.", Entities()),
    ("Twelfth session", "The twelfth session of the Committee was held in 2024 in Geneva.", Entities(years=("2024",))),
    ("Other", "Offices exchange data in XML formats following WIPO standards.", Entities()),
]


def _passage(i: int, heading: str, text: str, entities: Entities) -> tuple[Passage, DocumentMeta]:
    meta = DocumentMeta(doc_id=f"doc{i}", path=f"doc{i}.txt", title=f"Document {i}", symbol=f"CWS/12/{i}")
    return Passage(f"doc{i}#1", f"doc{i}", 1, "1", heading, text, entities=entities), meta


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> KeywordIndex:
    folder = tmp_path_factory.mktemp("keyword")
    ticks: list[int] = []
    terms = (keyword.passage_terms(*_passage(i, *p)) for i, p in enumerate(PASSAGES))
    keyword.write_index(folder, terms, ticks.append)
    assert sum(ticks) == len(PASSAGES)
    return KeywordIndex(folder)


def _rows(index: KeywordIndex, **query) -> list[int]:
    return [row for row, _ in index.search(KeywordQuery(**query), limit=10)]


def test_words_rank_the_passage_that_has_them_first(index):
    assert _rows(index, words=("sunset", "period"))[0] == 0
    assert _rows(index, words=("twelfth", "session"))[0] == 3


def test_stemming_matches_other_forms_of_a_word(index):
    assert set(_rows(index, words=("exchanged",))) == set(_rows(index, words=("exchanging",))) == {1, 4}


def test_passages_without_any_word_are_not_hits(index):
    assert _rows(index, words=("blockchain",)) == []
    assert index.search(KeywordQuery(words=()), limit=5) == []


def test_identifiers_match_exactly_in_any_spelling(index):
    assert _rows(index, words=(), ids=("st.92",)) == [0]
    assert _rows(index, words=(), ids=("CWS/12/3",)) == [3]


def test_an_expansion_counts_only_as_the_whole_phrase(index):
    """ "DAS" expanded to "Digital Access Service" finds the passage with the phrase, not the
    one that has the three words scattered."""
    assert _rows(index, words=(), expansions=("Digital Access Service",)) == [1]


def test_adjacent_question_words_favour_passages_with_the_pair(index):
    rows = _rows(index, words=("access", "digital"), phrases=(("digital", "access"),))
    assert rows.index(1) < rows.index(2)


def test_rows_restrict_the_search_and_keep_row_numbers(index):
    assert set(_rows(index, words=("offices",))) == {1, 2, 4}
    restricted = index.search(KeywordQuery(words=("offices",)), limit=10, rows=np.array([2, 4]))
    assert {row for row, _ in restricted} == {2, 4}
    assert index.search(KeywordQuery(words=("offices",)), limit=10, rows=np.array([], dtype=np.int64)) == []


def test_limit_keeps_the_best(index):
    everything = index.search(KeywordQuery(words=("offices",)), limit=10)
    assert index.search(KeywordQuery(words=("offices",)), limit=2) == everything[:2]
    scores = [score for _, score in everything]
    assert scores == sorted(scores, reverse=True)


def test_spelling_suggests_known_words_only_for_unknown_ones(index):
    assert index.suggest_spelling(["twelth", "sesion", "sunset", "xqzvw"]) == {"twelth": "twelfth", "sesion": "session"}


def test_a_field_no_passage_has_is_simply_absent(tmp_path):
    meta = DocumentMeta(doc_id="d", path="d.txt", title="Plain")
    keyword.write_index(tmp_path, [keyword.passage_terms(Passage("d#1", "d", 1, "1", "", "plain words only"), meta)])
    loaded = KeywordIndex(tmp_path)
    assert "ids" not in loaded.fields
    assert _rows(loaded, words=("plain",), ids=("st.26",)) == [0]


def test_an_empty_index_answers_nothing(tmp_path):
    keyword.write_index(tmp_path, [])
    assert KeywordIndex(tmp_path).search(KeywordQuery(words=("anything",)), limit=5) == []


def test_an_index_from_an_older_version_is_refused_and_rebuilt(built_settings, tmp_path, shared_corpus):
    """An index written before the keyword format changed cannot be read: serving says so
    plainly, and `cws ask` rebuilds it first."""
    settings = make_settings(tmp_path / "data", [shared_corpus])
    shutil.copytree(built_settings.index_root, settings.index_root)
    build = live_build(settings.index_root)
    info = json.loads((build / BUILD_INFO).read_text())
    (build / BUILD_INFO).write_text(json.dumps({**info, "keyword_schema": "2"}))
    assert LiveIndex(settings.index_root).outdated()
    with pytest.raises(IndexOutdated, match="run 'cws index'"):
        IndexVersion(build)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cws"), "ask", "When does the ST.92 sunset period end?"],
        env={**os.environ, "CWS_DATA_DIR": str(settings.data_dir), "CWS_CORPUS_DIRS": str(shared_corpus)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "built by an older version: building it first" in result.stderr
    assert "2027" in result.stdout
    assert not LiveIndex(settings.index_root).outdated()
