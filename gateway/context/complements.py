"""Complementary products: item vectors from co-purchases, served by Qdrant Edge.

Build (`build_catalog_vectors`, run after seeding): from the member database's
baskets, the products bought in at least `min_baskets` baskets get a vector, the
truncated SVD of their positive PMI co-occurrence matrix (two products bought in
the same basket more often than chance point the same way; the diagonal is kept). The vectors and each
product's category, department and description go into a `qdrant-edge-py` shard
(Qdrant's Rust engine in-process: the catalog is too big for qdrant-client's
pure-Python local mode) under `<root>/<version>/`; `<root>/CURRENT` names the
version to serve, switched only once a build is complete.

Serve (`CatalogVectors.load`): the query is the mean vector of the member's recent
products; products of the categories they just bought are filtered out (a
complement, not a substitute), and so are the categories policy never promotes.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import sqlite3
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as edge
from scipy import sparse  # type: ignore[import-untyped]  # no stubs installed
from sklearn.decomposition import TruncatedSVD

from gateway.exceptions import ConfigError, StoreError
from gateway.policy.yamlfile import content_version

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
BUILD_FORMAT = "1"


@dataclass(frozen=True)
class Complement:
    product_id: int
    description: str
    department: str
    category: str
    score: float


@dataclass(frozen=True)
class BuildReport:
    version: str
    path: Path
    products: int
    baskets: int
    dimensions: int
    seconds: float


def build_catalog_vectors(
    db_path: Path, root: Path, *, min_baskets: int = 20, dimensions: int = 64, seed: int = 7
) -> BuildReport:
    """Build the shard from a seeded member database and make it the one `CURRENT` names."""
    started = time.perf_counter()
    baskets, products, catalog, db_version = _read_baskets(db_path)
    keep_ids, vectors, n_baskets = item_vectors(baskets, products, min_baskets, dimensions, seed)
    version = content_version(BUILD_FORMAT, db_version, f"{min_baskets}/{dimensions}/{seed}")
    root.mkdir(parents=True, exist_ok=True)
    target = root / version
    tmp = root / f".{version}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    _write_shard(tmp, keep_ids, vectors, catalog)
    seconds = time.perf_counter() - started
    manifest = {"version": version, "products": len(keep_ids), "baskets": n_baskets,
                "dimensions": int(vectors.shape[1]), "min_baskets": min_baskets,
                "member_db": db_version, "build_seconds": round(seconds, 2)}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    pointer = root / f".{CURRENT}.tmp-{os.getpid()}"
    pointer.write_text(version + "\n", encoding="utf-8")
    os.replace(pointer, root / CURRENT)
    return BuildReport(version, target, len(keep_ids), n_baskets, int(vectors.shape[1]), seconds)


def _read_baskets(db_path: Path) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[str, str, str]], str]:
    if not db_path.is_file():
        raise StoreError(f"member database {db_path} does not exist: run `loyalty-gateway seed` first")
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        lines = np.array(db.execute("SELECT basket_id, product_id FROM purchases").fetchall(), dtype=np.int64)
        catalog = {
            int(pid): (str(desc), str(dept), str(cat or dept))
            for pid, desc, dept, cat in db.execute(
                "SELECT product_id, description, department, category FROM products"
            )
        }
    if lines.size == 0:
        raise StoreError(f"member database {db_path} has no purchases to learn from")
    return lines[:, 0], lines[:, 1], catalog, content_version(json.dumps(meta, sort_keys=True))


def item_vectors(
    baskets: np.ndarray, products: np.ndarray, min_baskets: int, dimensions: int, seed: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """(product ids, unit vectors one row each, number of baskets) from basket lines."""
    basket_index, basket_of = np.unique(baskets, return_inverse=True)
    product_index, product_of = np.unique(products, return_inverse=True)
    x = sparse.csr_matrix(
        (np.ones(len(products), dtype=np.float32), (basket_of, product_of)),
        shape=(len(basket_index), len(product_index)),
    )
    x.data[:] = 1.0  # a product twice in one basket is one co-occurrence
    x.sum_duplicates()
    x.data[:] = 1.0
    counts = np.asarray(x.sum(axis=0)).ravel()
    kept = np.flatnonzero(counts >= min_baskets)
    if len(kept) < 3:
        raise StoreError(f"only {len(kept)} products are in {min_baskets}+ baskets: lower min_baskets")
    x = x[:, kept].tocsc()
    co = (x.T @ x).tocoo()
    n = float(len(basket_index))
    c = counts[kept]
    # The diagonal stays (a product's PMI with itself is log(N / count)): a row then holds
    # the product itself and its basket partners, so partners point the same way.
    rows, cols, joint = co.row, co.col, co.data
    pmi = np.log(joint * n / (c[rows] * c[cols]))
    positive = pmi > 0
    ppmi = sparse.csr_matrix((pmi[positive], (rows[positive], cols[positive])), shape=(len(kept), len(kept)))
    k = max(2, min(dimensions, len(kept) - 1))
    vectors = TruncatedSVD(n_components=k, random_state=seed).fit_transform(ppmi)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.where(norms > 0, vectors / np.maximum(norms, 1e-12), 0.0).astype(np.float32)
    return product_index[kept], vectors, int(n)


def _write_shard(
    path: Path, ids: np.ndarray, vectors: np.ndarray, catalog: dict[int, tuple[str, str, str]]
) -> None:
    shard = edge.EdgeShard.create(str(path), _config(vectors.shape[1]))
    try:
        batch: list[edge.Point] = []
        for pid, vector in zip(ids.tolist(), vectors, strict=True):
            if not vector.any() or pid not in catalog:
                continue  # no direction (no positive association), or nothing to call it
            description, department, category = catalog[pid]
            payload = {"description": description, "department": department, "category": category}
            batch.append(edge.Point(pid, vector.tolist(), payload))
            if len(batch) == 2000:
                shard.update(edge.UpdateOperation.upsert_points(batch))
                batch = []
        if batch:
            shard.update(edge.UpdateOperation.upsert_points(batch))
        shard.flush()
    finally:
        shard.close()


def _config(dimensions: int) -> edge.EdgeConfig:
    return edge.EdgeConfig(vectors=edge.EdgeVectorParams(size=dimensions, distance=edge.Distance.Cosine))


class CatalogVectors:
    """The shard `CURRENT` names, opened once; lookups run in a worker thread."""

    def __init__(self, shard: Any, manifest: dict[str, Any]) -> None:
        self._shard = shard
        self.manifest = manifest

    @classmethod
    def load(cls, root: Path) -> CatalogVectors:
        pointer = root / CURRENT
        if not pointer.is_file():
            raise ConfigError(f"no catalog vectors under {root}: run `loyalty-gateway seed` (it builds them)")
        path = root / pointer.read_text(encoding="utf-8").strip()
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            shard = edge.EdgeShard.load(str(path))
        except (OSError, ValueError, RuntimeError) as e:
            raise ConfigError(f"catalog vectors at {path} cannot be read ({e}): build them again") from e
        return cls(shard, manifest)

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    async def complements(
        self, product_ids: Sequence[int], *, avoid_categories: Collection[str] = (),
        avoid_departments: Collection[str] = (), limit: int = 10,
    ) -> tuple[Complement, ...]:
        """Products that go with `product_ids`, best first, none of the avoided kinds."""
        if not product_ids or limit <= 0:
            return ()
        return await asyncio.to_thread(
            self._complements, list(dict.fromkeys(product_ids)), avoid_categories, avoid_departments, limit
        )

    def _complements(
        self, ids: list[int], categories: Collection[str], departments: Collection[str], limit: int
    ) -> tuple[Complement, ...]:
        found = self._shard.retrieve(ids, False, True)
        vectors = [np.asarray(r.vector, dtype=np.float32) for r in found if r.vector is not None]
        if not vectors:
            return ()
        query = np.mean(vectors, axis=0)
        if not math.isfinite(float(np.linalg.norm(query))) or not query.any():
            return ()
        must_not: list[Any] = [edge.HasIdCondition(set(ids))]
        if categories:
            must_not.append(edge.FieldCondition(key="category", match=edge.MatchAny(sorted(categories))))
        if departments:
            must_not.append(edge.FieldCondition(key="department", match=edge.MatchAny(sorted(departments))))
        request = edge.QueryRequest(
            limit=limit, query=edge.Query.Nearest(query.tolist()), with_payload=True,
            filter=edge.Filter(must_not=must_not),
        )
        return tuple(_complement(hit) for hit in self._shard.query(request))

    def close(self) -> None:
        self._shard.close()

    async def aclose(self) -> None:
        self.close()


def _complement(hit: Any) -> Complement:
    payload = hit.payload
    return Complement(
        int(hit.id), str(payload["description"]), str(payload["department"]), str(payload["category"]),
        float(hit.score),
    )
