"""Write evals/cache/pairs.jsonl from the hand-written paraphrase families.

    .venv/bin/python -m evals.cache.make_pairs

Same meaning: every two phrasings of one family. Different meaning: phrasings
of two families of the same topic (near-misses, aligned by position, so
"sunday opening hours" meets "saturday opening hours"), plus a few across topics.
The split is by topic, with a fixed seed: a topic's families and the near-misses
between them are all in calibration or all in test (topics are dealt to the
smaller side, so the halves are about equal), so no paraphrase family leaks from
calibration into test and every near-miss pair is kept.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

from evals.cache.families import FAMILIES

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "pairs.jsonl"
SEED = 20261123


def pairs() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    by_topic = {topic: topic_pairs(topic, rng) for topic in sorted(FAMILIES)}
    splits = topic_splits(by_topic, rng)
    rows = [{**r, "split": splits[topic]} for topic, part in by_topic.items() for r in part]
    rows.extend(cross_topic(rng, splits))
    seen: set[frozenset[str]] = set()
    unique = []
    for r in rows:
        key = frozenset((str(r["a"]), str(r["b"])))
        if key not in seen and len(key) == 2:
            seen.add(key)
            unique.append(r)
    return unique


def topic_pairs(topic: str, rng: random.Random) -> list[dict[str, object]]:
    families = sorted(FAMILIES[topic].items())
    rows = [
        row(a, b, True, topic, channel, name)
        for name, (channel, texts) in families
        for a, b in itertools.combinations(texts, 2)
    ]
    for (x, (channel, tx)), (y, (_, ty)) in itertools.combinations(families, 2):
        aligned = list(zip(tx, ty, strict=False))
        aligned.extend((rng.choice(tx), rng.choice(ty)) for _ in range(3))
        rows.extend(row(a, b, False, topic, channel, f"{x}|{y}") for a, b in aligned)
    return rows


def topic_splits(by_topic: dict[str, list[dict[str, object]]], rng: random.Random) -> dict[str, str]:
    """Whole topics (families and their near-misses together) to the smaller side, in a seeded order."""
    order = sorted(by_topic)
    rng.shuffle(order)
    sizes = {"calibration": 0, "test": 0}
    splits = {}
    for topic in order:
        side = min(sizes, key=lambda k: (sizes[k], k))
        splits[topic] = side
        sizes[side] += len(by_topic[topic])
    return splits


def cross_topic(rng: random.Random, splits: dict[str, str]) -> list[dict[str, object]]:
    flat = [(t, n, c, texts) for t, fam in sorted(FAMILIES.items()) for n, (c, texts) in sorted(fam.items())]
    rows = []
    for _ in range(240):
        (ta, na, ca, xa), (tb, nb, _, xb) = rng.sample(flat, 2)
        if ta == tb or splits[ta] != splits[tb]:
            continue
        rows.append(row(rng.choice(xa), rng.choice(xb), False, f"{ta}~{tb}", ca, f"{na}|{nb}", splits[ta]))
    return rows


def row(*values: object) -> dict[str, object]:
    """(a, b, same, topic, channel, group[, split]) as one JSON object."""
    return dict(zip(("a", "b", "same", "topic", "channel", "group", "split"), values, strict=False))


def main() -> None:
    rows = pairs()
    PAIRS.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    same = sum(1 for r in rows if r["same"])
    print(f"{len(rows)} pairs ({same} same meaning, {len(rows) - same} different) -> {PAIRS}")
    for split in ("calibration", "test"):
        part = [r for r in rows if r["split"] == split]
        print(f"  {split}: {len(part)} ({sum(1 for r in part if r['same'])} same)")


if __name__ == "__main__":
    main()
