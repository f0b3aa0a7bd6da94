"""Catalog vectors: build time and lookup latency on a seeded member database.

    .venv/bin/python -m evals.retrieval.run var/loyalty.db --out /tmp/catalog [--min-baskets 20]

Builds the Qdrant Edge shard (`gateway.context.complements`), then times complement
lookups for up to 200 members (their 8 latest products, their categories avoided).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import time
from pathlib import Path

from gateway.context.complements import CatalogVectors, build_catalog_vectors


async def _lookups(vectors: CatalogVectors, db: Path, members: int) -> list[float]:
    with sqlite3.connect(db) as con:
        query = "SELECT member_id FROM members ORDER BY member_id LIMIT ?"
        ids = [r[0] for r in con.execute(query, (members,))]
        baskets = [
            con.execute(
                "SELECT p.product_id, COALESCE(pr.category, pr.department) FROM purchases AS p"
                " LEFT JOIN products AS pr USING (product_id) WHERE member_id = ? ORDER BY ts DESC LIMIT 8",
                (m,),
            ).fetchall()
            for m in ids
        ]
    timings = []
    for lines in baskets:
        started = time.perf_counter()
        avoid = {c for _, c in lines if c}
        await vectors.complements([p for p, _ in lines], avoid_categories=avoid, limit=24)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--min-baskets", type=int, default=20)
    parser.add_argument("--dimensions", type=int, default=64)
    args = parser.parse_args()
    report = build_catalog_vectors(
        args.db, args.out, min_baskets=args.min_baskets, dimensions=args.dimensions
    )
    print(f"build: {report.seconds:.1f} s, {report.products} products, {report.baskets} baskets")
    started = time.perf_counter()
    vectors = CatalogVectors.load(args.out)
    print(f"load: {(time.perf_counter() - started) * 1000:.0f} ms")
    timings = sorted(asyncio.run(_lookups(vectors, args.db, 200)))
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"lookup over {len(timings)} members: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms")
    vectors.close()


if __name__ == "__main__":
    main()
