"""Slack secrets, read from the environment in this one place, and the Web API client.

Tokens never come from the configuration file and are never logged: `SlackSecrets`
hides them from `repr`, so a stray log line or traceback cannot leak one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from config.errors import CwsError

DEFAULT_API_URL = WebClient.BASE_URL  # https://slack.com/api/


class MissingSecret(CwsError):
    """A Slack token or secret the chosen mode needs is not in the environment."""


@dataclass(frozen=True)
class SlackSecrets:
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_env(cls, mode: str, environ: Mapping[str, str] | None = None) -> SlackSecrets:
        """Secrets for `mode` ("http" or "socket"); names every missing variable at once."""
        env = os.environ if environ is None else environ
        needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET" if mode == "http" else "SLACK_APP_TOKEN"]
        missing = [name for name in needed if not env.get(name, "").strip()]
        if missing:
            raise MissingSecret(
                f"missing environment variable{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(needed by 'cws serve --{mode}'; see the README's Slack bot section)"
            )
        return cls(
            bot_token=env["SLACK_BOT_TOKEN"].strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            api_url=_api_url(env),
        )

    @classmethod
    def for_client(cls, environ: Mapping[str, str] | None = None) -> SlackSecrets:
        """Just what a Web API client needs (scheduled jobs posting): the bot token and API URL."""
        env = os.environ if environ is None else environ
        token = env.get("SLACK_BOT_TOKEN", "").strip()
        if not token:
            raise MissingSecret("missing environment variable SLACK_BOT_TOKEN (needed to post to Slack)")
        return cls(bot_token=token, api_url=_api_url(env))


def _api_url(env: Mapping[str, str]) -> str:
    url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def retry_handlers(max_retries: int) -> list[RetryHandler]:
    """429 waits for Retry-After; 500/503 and dropped connections back off; all bounded."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries),
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
    ]


def web_client(secrets: SlackSecrets, max_retries: int) -> WebClient:
    return WebClient(
        token=secrets.bot_token,
        base_url=secrets.api_url,
        timeout=15,
        retry_handlers=retry_handlers(max_retries),
    )
