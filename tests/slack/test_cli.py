"""`cws serve` start-up checks, and the documentation of the bot's commands and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from config.settings import SlackSettings
from config.slack import DEFAULT_API_URL, MissingSecret, SlackSecrets
from cws.cli import cli

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["serve"], "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        (["serve", "--http", "--port", "3999"], "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        (["serve", "--socket"], "SLACK_BOT_TOKEN, SLACK_APP_TOKEN"),
    ],
)
def test_serve_names_the_missing_secrets(args, missing, tmp_path):
    env = {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "", "CWS_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1
    assert f"missing environment variables {missing}" in result.output
    assert not (tmp_path / "index").exists()  # checked before anything is built


def test_secrets_come_from_the_environment_and_never_show():
    secrets = SlackSecrets.from_env("socket", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert secrets.api_url == DEFAULT_API_URL
    assert "xoxb" not in repr(secrets) and "xapp" not in repr(secrets)
    gov = SlackSecrets.from_env(
        "http", {"SLACK_BOT_TOKEN": "b", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "https://slack-gov.com/api"}
    )
    assert gov.api_url == "https://slack-gov.com/api/"
    with pytest.raises(MissingSecret, match="SLACK_SIGNING_SECRET"):
        SlackSecrets.from_env("http", {"SLACK_BOT_TOKEN": "b"})


def test_readme_documents_the_bot():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for needed in [
        "cws serve --http --port 3000",
        "cws serve --socket",
        "/slack/events",
        "/healthz",
        "cws feedback export",
        "config/slack-app-manifest.yaml",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
    ]:
        assert needed in readme, needed


def test_default_yaml_documents_every_slack_setting():
    documented = yaml.safe_load((REPO / "config" / "default.yaml").read_text(encoding="utf-8"))["slack"]
    assert set(documented) == set(SlackSettings.model_fields)
    assert SlackSettings(**documented) == SlackSettings()
