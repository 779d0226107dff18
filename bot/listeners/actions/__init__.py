from slack_bolt import App

from bot.blocks import SHARE_ACTION, VOTE_DOWN_ACTION, VOTE_UP_ACTION
from bot.listeners.actions import share, vote


def register(app: App) -> None:
    app.action(SHARE_ACTION)(share.handle)
    app.action(VOTE_UP_ACTION)(vote.handle)
    app.action(VOTE_DOWN_ACTION)(vote.handle)
