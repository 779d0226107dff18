"""Configuration: one YAML file plus environment overrides, read once into one object.

Why pydantic: validation errors name the offending key (``search.top_k``), which is
what an operator needs at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cws.errors import ConfigError

DEFAULT_CONFIG = Path(__file__).with_name("default.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSettings(_Section):
    name: str = "all-MiniLM-L6-v2"
    path: Path | None = None
    batch_size: int = Field(64, ge=1, le=1024)


class SearchSettings(_Section):
    keyword_candidates: int = Field(50, ge=1, le=1000)
    vector_candidates: int = Field(50, ge=1, le=1000)
    rrf_k: int = Field(60, ge=1)
    top_k: int = Field(5, ge=1, le=50)


class AnswerSettings(_Section):
    max_chars: int = Field(300, ge=50, le=3000)
    passages_considered: int = Field(5, ge=1, le=20)
    min_similarity: float = Field(0.30, ge=-1.0, le=1.0)


class IndexSettings(_Section):
    keep_builds: int = Field(3, ge=2, le=50)


class Settings(_Section):
    data_dir: Path
    corpus_dirs: list[Path] = []
    model: ModelSettings = ModelSettings()
    search: SearchSettings = SearchSettings()
    answer: AnswerSettings = AnswerSettings()
    index: IndexSettings = IndexSettings()
    config_path: Path | None = None

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def index_root(self) -> Path:
        return self.data_dir / "index"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"configuration file {path} must be a mapping of keys to values")
    return data


def _resolve(base: Path, value: Any) -> Any:
    """Relative paths in a config file are relative to that file, not to the working directory."""
    if value is None:
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def load_settings(config_path: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the configuration from `config_path`, else $CWS_CONFIG, else the packaged default."""
    env = os.environ if environ is None else environ
    chosen = config_path or env.get("CWS_CONFIG") or DEFAULT_CONFIG
    path = Path(chosen).expanduser()
    raw = _read_yaml(path)
    base = path.resolve().parent
    if "data_dir" in raw:
        raw["data_dir"] = _resolve(base, raw["data_dir"])
    if isinstance(raw.get("corpus_dirs"), list):
        raw["corpus_dirs"] = [_resolve(base, d) for d in raw["corpus_dirs"]]
    if isinstance(raw.get("model"), dict) and raw["model"].get("path"):
        raw["model"]["path"] = _resolve(base, raw["model"]["path"])
    if env.get("CWS_DATA_DIR"):
        raw["data_dir"] = Path(env["CWS_DATA_DIR"]).expanduser().resolve()
    if env.get("CWS_CORPUS_DIRS"):
        raw["corpus_dirs"] = [
            Path(p).expanduser().resolve() for p in env["CWS_CORPUS_DIRS"].split(os.pathsep) if p
        ]
    raw.setdefault("data_dir", Path("~/.local/share/cws-assistant"))
    try:
        settings = Settings(**raw, config_path=path)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{path}: invalid key '{key}': {first['msg']}") from exc
    for folder in settings.corpus_dirs:
        if not folder.is_dir():
            raise ConfigError(f"{path}: corpus_dirs entry {folder} is not a directory")
    return settings
