"""A bad document folder is blamed on where it was named (issue 13): an entry of CWS_CORPUS_DIRS on the variable,
as the user typed it, never on a configuration file they did not touch; an entry of `corpus_dirs` on that file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from config.errors import ConfigError
from config.settings import load_settings
from cws.cli import cli


def test_a_missing_folder_in_cws_corpus_dirs_is_blamed_on_the_variable(tmp_path: Path, shared_corpus: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["status"],
        env={"CWS_DATA_DIR": str(tmp_path / "data"), "CWS_CORPUS_DIRS": f"{shared_corpus}:{tmp_path}/corpsu"},
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: CWS_CORPUS_DIRS entry {tmp_path}/corpsu does not exist; "
        "CWS_CORPUS_DIRS lists document folders separated by ':'\n"
    )
    assert "default.yaml" not in result.output and "Traceback" not in result.output


def test_a_relative_entry_is_shown_as_typed_and_as_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(ConfigError) as error:
        load_settings(environ={"CWS_CORPUS_DIRS": "notes.txt"})
    assert str(error.value).startswith(f"CWS_CORPUS_DIRS entry notes.txt ({tmp_path / 'notes.txt'}) is not a directory")


def test_a_missing_folder_in_the_configuration_file_is_blamed_on_the_file(tmp_path: Path) -> None:
    config = tmp_path / "cws.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncorpus_dirs: [{tmp_path / 'gone'}]\n")
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ={})
    assert str(error.value) == f"{config}: corpus_dirs entry {tmp_path / 'gone'} does not exist"
