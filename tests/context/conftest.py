"""Context sources built once per session from the shared seeded database and MiniLM."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from gateway.context.complements import BuildReport, CatalogVectors, build_catalog_vectors
from gateway.context.knowledge import KnowledgeBase
from gateway.members import SqliteMemberStore
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder

KNOWLEDGE_DIR = PROJECT_ROOT / "prompts" / "knowledge"
# The 30-household seed has few baskets: a low threshold keeps enough products.
TEST_MIN_BASKETS = 8
TEST_DIMENSIONS = 32


@pytest.fixture(scope="session")
def catalog_build(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    root = tmp_path_factory.mktemp("catalog")
    return build_catalog_vectors(seeded_db, root, min_baskets=TEST_MIN_BASKETS, dimensions=TEST_DIMENSIONS)


@pytest.fixture(scope="session")
def catalog(catalog_build: BuildReport) -> Iterator[CatalogVectors]:
    vectors = CatalogVectors.load(catalog_build.path.parent)
    yield vectors
    vectors.close()


@pytest.fixture(scope="session")
def knowledge(embedder: Embedder) -> KnowledgeBase:
    return KnowledgeBase.from_folder(KNOWLEDGE_DIR, embedder)


@pytest.fixture
async def member_store(seeded_db: Path) -> AsyncIterator[SqliteMemberStore]:
    members = SqliteMemberStore(seeded_db)
    yield members
    await members.close()
