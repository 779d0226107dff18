from slack_bolt import App

from bot.listeners.commands import atr, cws


def register(app: App) -> None:
    app.command("/cws")(cws.handle)
    app.command("/atr")(atr.handle)
