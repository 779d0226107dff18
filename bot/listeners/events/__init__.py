from slack_bolt import App

from bot.listeners.events import app_home_opened, app_mention, direct_message


def register(app: App) -> None:
    app.event("app_mention")(app_mention.handle)
    app.event("message")(direct_message.handle)
    app.event("app_home_opened")(app_home_opened.handle)
