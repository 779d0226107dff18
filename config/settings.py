"""Configuration: one YAML file plus environment overrides, read once into one object.

Why pydantic: validation errors name the offending key (``search.top_k``), which is
what an operator needs at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.errors import ConfigError

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
    passages_considered: int = Field(10, ge=1, le=30)
    min_similarity: float = Field(0.30, ge=-1.0, le=1.0)


class IndexSettings(_Section):
    keep_builds: int = Field(3, ge=2, le=50)
    # A reindex that would remove more than this share of the indexed documents is refused
    # (`cws index --allow-removals` overrides): a missing or emptied folder must not empty the index.
    max_removed_fraction: float = Field(0.2, ge=0.0, le=1.0)


class SlackSettings(_Section):
    """The Slack bot; its tokens come from the environment, never from this file."""

    max_sources: int = Field(3, ge=0, le=20)
    working_reaction: str = Field("hourglass_flowing_sand", pattern=r"^[a-z0-9_+\-']+$")
    listener_threads: int = Field(16, ge=1, le=256)
    # Questions answered at once. Searching is CPU-bound and partly holds Python's GIL, so
    # more workers than cores only slows the acknowledgements; the rest wait their turn.
    answer_threads: int = Field(2, ge=1, le=64)
    # Slack calls of answers (reactions, the post) run on their own threads: a slow Slack never holds up a search.
    post_threads: int = Field(4, ge=1, le=64)
    max_retries: int = Field(3, ge=0, le=10)
    # Whose requests are served: the workspace (T…) or Enterprise Grid org (E…), and the app (A…). None: the
    # bot token's own workspace and app, from Slack's auth.test at start-up (the app only when Slack reports it).
    team_id: str | None = Field(None, pattern=r"^[TE][A-Z0-9]{2,30}$")
    app_id: str | None = Field(None, pattern=r"^A[A-Z0-9]{2,30}$")
    # HTTP mode: idle or slow clients are cut off so they cannot take the connections valid requests need.
    max_connections: int = Field(500, ge=10, le=10_000)
    idle_timeout_seconds: float = Field(5.0, gt=0, le=300)
    request_timeout_seconds: float = Field(10.0, gt=0, le=300)
    # Start-up: how often Slack is tried before `cws serve` gives up, waiting 1x, 2x, 4x ... this long in between.
    connect_attempts: int = Field(5, ge=1, le=20)
    connect_backoff_seconds: float = Field(1.0, ge=0, le=60)


class AtrFetchSettings(_Section):
    """How submitted ATR links are read: the bot requests addresses that users typed, so the limits are tight."""

    # Test-only switches (a local HTTP server on 127.0.0.1); logged at WARNING whenever a fetch policy uses them.
    allow_http: bool = False  # fetch plain http:// links and redirects (https:// always)
    allow_loopback: bool = False  # let a link's host resolve to this machine (127.0.0.0/8, ::1); never private ranges
    max_megabytes: float = Field(20, gt=0, le=200)  # a larger report is refused ("the file is over 20 MB")
    timeout_seconds: float = Field(30, gt=0, le=300)  # for the whole fetch of one link, redirects included


class AtrSettings(_Section):
    """ATR submissions: who may submit for which office, and what is accepted."""

    first_year: int = Field(2000, ge=1900, le=2100)
    allow_http: bool = False
    # A report whose link has been failing is cited with the date it was read; once that date is more than
    # this many days old the citation also calls the copy stale.
    stale_after_days: int = Field(30, ge=1, le=3650)
    fetch: AtrFetchSettings = AtrFetchSettings()
    # Slack user ids ("U…") or user group ids ("S…") → the ST.3 codes they submit for.
    delegates: dict[str, list[str]] = {}
    # Slack user or group ids of the CWS Secretariat: any office, status and export.
    secretariat: list[str] = []
    # Offices expected to submit each year; empty: those that submitted the year before.
    expected_offices: list[str] = []


class JobsSettings(_Section):
    """Scheduled jobs; every time is read in `timezone`."""

    timezone: str = "UTC"
    reindex_cron: str = "30 2 * * *"
    reminders_cron: str = "*/15 * * * *"
    remind_at: str = Field("09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    digest_cron: str = "0 8 * * 1-5"
    digest_days: int = Field(30, ge=1, le=366)
    grace_hours: float = Field(12.0, ge=0, le=24 * 14)
    deadlines_file: Path | None = None
    secretariat_channel: str | None = None
    maintainers_channel: str | None = None
    nudge_delegates: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}'") from exc
        return value

    @field_validator("reindex_cron", "reminders_cron", "digest_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from config.cron import cron_trigger

        try:
            cron_trigger(value, "UTC")
        except ValueError as exc:
            raise ValueError(f"not a crontab expression: {exc}") from exc
        return value


class Settings(_Section):
    data_dir: Path
    corpus_dirs: list[Path] = []
    model: ModelSettings = ModelSettings()
    search: SearchSettings = SearchSettings()
    answer: AnswerSettings = AnswerSettings()
    index: IndexSettings = IndexSettings()
    slack: SlackSettings = SlackSettings()
    atr: AtrSettings = AtrSettings()
    jobs: JobsSettings = JobsSettings()
    config_path: Path | None = None
    # Where `corpus_dirs` came from, so `cws sources list` can say it (set by load_settings, not by the file).
    corpus_dirs_origin: Literal["environment", "configuration"] = "configuration"

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def index_root(self) -> Path:
        return self.data_dir / "index"


def read_yaml(path: Path, what: str = "configuration file") -> Any:
    """A YAML file's data; ConfigError naming the file when it cannot be read or parsed."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path} is not valid YAML: {exc}") from exc


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path)
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
    if isinstance(raw.get("jobs"), dict) and raw["jobs"].get("deadlines_file"):
        raw["jobs"]["deadlines_file"] = _resolve(base, raw["jobs"]["deadlines_file"])
    if isinstance(raw.get("model"), dict) and raw["model"].get("path"):
        raw["model"]["path"] = _resolve(base, raw["model"]["path"])
    if env.get("CWS_DATA_DIR"):
        raw["data_dir"] = Path(env["CWS_DATA_DIR"]).expanduser().resolve()
    typed: dict[Path, str] = {}  # CWS_CORPUS_DIRS entry as written, by the folder it names: for the error
    if env.get("CWS_CORPUS_DIRS"):
        raw["corpus_dirs_origin"] = "environment"
        typed = {Path(p).expanduser().resolve(): p for p in env["CWS_CORPUS_DIRS"].split(os.pathsep) if p}
        raw["corpus_dirs"] = list(typed)
    raw.setdefault("data_dir", Path("~/.local/share/cws-assistant"))
    try:
        settings = Settings(**raw, config_path=path)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{path}: invalid key '{key}': {first['msg']}") from exc
    for folder in settings.corpus_dirs:
        if folder.is_dir():
            continue
        problem = "is not a directory" if folder.exists() else "does not exist"
        if folder in typed:  # blame the variable the user set, not a file they never touched
            shown = typed[folder] if typed[folder] == str(folder) else f"{typed[folder]} ({folder})"
            raise ConfigError(
                f"CWS_CORPUS_DIRS entry {shown} {problem}; "
                f"CWS_CORPUS_DIRS lists document folders separated by '{os.pathsep}'"
            )
        raise ConfigError(f"{path}: corpus_dirs entry {folder} {problem}")
    return settings
