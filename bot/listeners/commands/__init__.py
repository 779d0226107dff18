from slack_bolt import App

from bot.listeners.commands import cws


def register(app: App) -> None:
    app.command("/cws")(cws.handle)
