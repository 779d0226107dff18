"""What every command shares: the settings, the engine, and the one error boundary.

Errors from the library arrive as specific exceptions (all derived from `CwsError`) and
become one-line messages here, at the edge, so every command reports problems the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from config.errors import CwsError
from config.settings import Settings, load_settings

if TYPE_CHECKING:  # the engine pulls in the index and the model: imported when a command needs it
    from answering.engine import AnswerEngine


@contextmanager
def user_errors() -> Iterator[None]:
    """The one boundary where specific exceptions become messages for a person."""
    try:
        yield
    except CwsError as exc:
        raise click.ClickException(str(exc)) from exc


class Context:
    def __init__(self, config: str | None) -> None:
        self.config = config
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            with user_errors():
                self._settings = load_settings(self.config)
        return self._settings


def open_engine(obj: Context, build_if_missing: bool = True) -> AnswerEngine:
    """The answer engine (with live ATR submissions), building the index first if there is none."""
    from cws.assistant import make_engine

    engine = make_engine(obj.settings)
    if build_if_missing:
        reason = (
            "No index yet"
            if not engine.live.exists()
            else "The index was built by an older version"
            if engine.live.outdated()
            else None
        )
        if reason:
            from index.runner import format_summary, run_build  # the document loaders: 0.3 s a question does not need

            click.echo(f"{reason}: building it first.", err=True)
            summary = run_build(obj.settings, embedder=engine.embedder)
            click.echo(format_summary(summary), err=True)
    return engine
