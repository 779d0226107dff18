"""Assembles the answer engine with every source of answers the deployment has."""

from __future__ import annotations

from answering.engine import AnswerEngine
from answering.gaps import GapLog
from atr.answers import AtrSubmissionFacts
from atr.store import AtrStore
from config.settings import Settings
from index.embedding import Embedder


def make_engine(settings: Settings, embedder: Embedder | None = None) -> AnswerEngine:
    """The engine every front end uses: documents and records, plus live ATR submissions; its
    refusals are recorded as knowledge gaps for the secretariat."""
    return AnswerEngine(
        settings, embedder, providers=[AtrSubmissionFacts(AtrStore(settings.data_dir))], gaps=GapLog(settings.data_dir)
    )
