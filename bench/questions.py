"""Questions about the synthetic corpus, all different so no cache flatters the figures."""

from __future__ import annotations

import random

from bench.synthetic import ORDINALS, STANDARDS, subject

TEMPLATES = [
    "What did the Committee agree about {obj} under Task No. {task}?",
    "When was {obj} discussed at the {ordinal} session?",
    "Which task force reported on ST.{st}?",
    "What is circular C.CWS.{circ} about?",
    "How many offices commented on {obj}?",
    "What was proposed for ST.{st} in document CWS/{s}/{d}?",
    "Who presented the proposal on {obj}?",
    "What did IP offices say about {obj} in {year}?",
]


def questions(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        out.append(
            rng.choice(TEMPLATES).format(
                obj=subject(rng),
                task=rng.choice([24, 41, 44, 58, 59]),
                ordinal=rng.choice(ORDINALS),
                st=rng.choice(STANDARDS),
                circ=rng.randint(150, 199),
                s=rng.randint(6, 13),
                d=rng.randint(2, 30),
                year=rng.randint(2015, 2025),
            )
        )
    return out
