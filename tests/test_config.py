"""Configuration: one file, environment overrides, errors that name the bad key."""

import os
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import DEFAULT_CONFIG, load_settings

CONFIGS = Path(__file__).parent / "configs"


def test_packaged_default_loads():
    settings = load_settings(DEFAULT_CONFIG, environ={})
    assert settings.search.top_k == 5
    assert settings.answer.max_chars == 300
    assert settings.corpus_dirs == []


def test_minimal_config_resolves_paths_against_its_own_folder():
    settings = load_settings(CONFIGS / "minimal.yaml", environ={})
    assert settings.data_dir == (CONFIGS / "data").resolve()


def test_broken_config_names_the_key():
    with pytest.raises(ConfigError, match=r"search\.top_k"):
        load_settings(CONFIGS / "broken.yaml", environ={})


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("data_dir: x\nserach:\n  top_k: 3\n")
    with pytest.raises(ConfigError, match="serach"):
        load_settings(path, environ={})


def test_config_env_variable_is_used(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("data_dir: d\n")
    settings = load_settings(environ={"CWS_CONFIG": str(path)})
    assert settings.data_dir == tmp_path / "d"


def test_environment_overrides(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    env = {"CWS_DATA_DIR": str(tmp_path / "data"), "CWS_CORPUS_DIRS": os.pathsep.join([str(a), str(b)])}
    settings = load_settings(CONFIGS / "minimal.yaml", environ=env)
    assert settings.data_dir == tmp_path / "data"
    assert settings.corpus_dirs == [a, b]


def test_missing_corpus_dir_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="^CWS_CORPUS_DIRS entry .*nope does not exist"):
        load_settings(CONFIGS / "minimal.yaml", environ={"CWS_CORPUS_DIRS": str(tmp_path / "nope")})


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("data_dir: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path, environ={})


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.yaml", environ={})
