"""Complementary products: co-purchase vectors built from baskets, served from Qdrant Edge."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from gateway.context.complements import (
    CURRENT,
    MANIFEST,
    BuildReport,
    CatalogVectors,
    item_vectors,
)
from gateway.exceptions import ConfigError, StoreError


def test_products_bought_together_point_the_same_way() -> None:
    # Baskets 0-19: bread with butter; baskets 20-39: beer with chips; 40-59 all four apart.
    baskets = np.repeat(np.arange(40), 2)
    products = np.array([(1, 2) if b < 20 else (3, 4) for b in range(40)]).ravel()
    singles = np.arange(40, 60).repeat(4), np.tile([1, 2, 3, 4], 20)
    ids, vectors, n = item_vectors(
        np.concatenate([baskets, singles[0]]), np.concatenate([products, singles[1]]), 5, 3, seed=1
    )
    assert n == 60 and list(ids) == [1, 2, 3, 4]
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] and similarity[2, 3] > similarity[2, 1]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_too_few_frequent_products_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="lower min_baskets"):
        item_vectors(np.array([1, 1]), np.array([5, 6]), 10, 8, seed=1)


def test_the_build_writes_a_versioned_folder_and_points_current_at_it(catalog_build: BuildReport) -> None:
    root = catalog_build.path.parent
    assert (root / CURRENT).read_text().strip() == catalog_build.version == catalog_build.path.name
    manifest = json.loads((catalog_build.path / MANIFEST).read_text())
    assert manifest["products"] == catalog_build.products > 100
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_loading_without_a_build_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="loyalty-gateway seed"):
        CatalogVectors.load(tmp_path)


def test_a_damaged_build_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / CURRENT).write_text("v-missing\n")
    with pytest.raises(ConfigError, match="build them again"):
        CatalogVectors.load(tmp_path)


def recent_lines(db: Path, limit: int = 10) -> tuple[list[int], set[str]]:
    with sqlite3.connect(db) as con:
        member = con.execute("SELECT member_id FROM members ORDER BY annual_spend DESC").fetchone()[0]
        rows = con.execute(
            "SELECT p.product_id, COALESCE(pr.category, pr.department) FROM purchases AS p"
            " JOIN products AS pr USING (product_id) WHERE member_id = ? ORDER BY ts DESC LIMIT ?",
            (member, limit),
        ).fetchall()
    return [r[0] for r in rows], {r[1] for r in rows}


@pytest.mark.anyio
async def test_complements_avoid_what_was_just_bought_and_the_avoided_kinds(
    catalog: CatalogVectors, seeded_db: Path
) -> None:
    products, categories = recent_lines(seeded_db)
    found = await catalog.complements(
        products, avoid_categories=categories, avoid_departments={"PRODUCE"}, limit=15
    )
    assert len(found) == 15
    assert not {c.product_id for c in found} & set(products)
    assert not {c.category for c in found} & categories
    assert all(c.department != "PRODUCE" for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert all(c.description and "$" not in c.description for c in found)


@pytest.mark.anyio
async def test_products_without_a_vector_give_no_complements(catalog: CatalogVectors) -> None:
    assert await catalog.complements([999_999_999]) == ()
    assert await catalog.complements([]) == ()
