from slack_bolt import App

from bot.atr_blocks import SUBMIT_VIEW
from bot.listeners.views import atr_submit


def register(app: App) -> None:
    app.view(SUBMIT_VIEW)(atr_submit.handle)
