"""Socket Mode: for workspaces whose bot cannot take inbound HTTP.

The bot opens a WebSocket to Slack (with the app-level token, `connections:write`) and
receives the same events, commands and clicks as in HTTP mode, handled by the same app.
Signatures are not used: the connection itself is authenticated by the app token.
"""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler


def serve_socket_mode(app: App, app_token: str, concurrency: int) -> None:
    """Connect and handle requests until interrupted; reconnects by itself."""
    handler = SocketModeHandler(app, app_token, web_client=app.client, concurrency=concurrency)
    handler.start()
