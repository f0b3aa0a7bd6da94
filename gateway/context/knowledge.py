"""The program's terms and FAQ, retrieved by meaning for the prompt.

The Markdown files under `prompts/knowledge/` are cut into chunks at their `##`
headings (`README.md` is not loaded), embedded with the shared MiniLM `Embedder`
and held in a qdrant-client embedded collection in memory: a few dozen points,
well inside what the pure-Python local mode serves quickly. `search` embeds the
member's question and returns the `top_k` closest chunks.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qdrant_client import QdrantClient, models

from gateway.exceptions import ConfigError
from gateway.policy.yamlfile import content_version
from gateway.smallmodel import Embedder

COLLECTION = "knowledge"
_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
_MAX_CHUNK_CHARS = 900


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # "<file stem>#<heading slug>", e.g. "terms#points-expiry"
    title: str
    text: str


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    score: float


def load_chunks(folder: Path) -> tuple[Chunk, ...]:
    """Every `##` section of every `*.md` file under `folder` except README.md."""
    if not folder.is_dir():
        raise ConfigError(f"knowledge folder {folder} does not exist")
    chunks: list[Chunk] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() != "readme.md":
            chunks.extend(_split(path.stem, path.read_text(encoding="utf-8")))
    if not chunks:
        raise ConfigError(f"no `## ` sections in the *.md files under {folder}")
    ids = [c.chunk_id for c in chunks]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"two sections under {folder} have the same heading in one file")
    return tuple(chunks)


def _split(stem: str, text: str) -> list[Chunk]:
    marks = list(_HEADING.finditer(text))
    chunks = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = " ".join(text[mark.end() : end].split())
        if len(body) > _MAX_CHUNK_CHARS:
            raise ConfigError(f"{stem}.md: section {mark.group(1)!r} is longer than {_MAX_CHUNK_CHARS} chars")
        if body:
            chunks.append(Chunk(f"{stem}#{_slug(mark.group(1))}", mark.group(1), body))
    return chunks


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class KnowledgeBase:
    """Chunks in an in-memory Qdrant collection; `version` is the content hash of all of them."""

    def __init__(self, chunks: Sequence[Chunk], embedder: Embedder, *, top_k: int = 3) -> None:
        self._chunks = tuple(chunks)
        self._embedder = embedder
        self._top_k = top_k
        self.version = knowledge_version(self._chunks)
        self._client = QdrantClient(location=":memory:")
        self._client.create_collection(
            COLLECTION,
            vectors_config=models.VectorParams(size=_dimension(embedder), distance=models.Distance.COSINE),
        )
        vectors = embedder.encode([f"{c.title}. {c.text}" for c in self._chunks])
        self._client.upsert(
            COLLECTION,
            points=[
                models.PointStruct(id=i, vector=vectors[i].tolist(), payload={"chunk": i})
                for i in range(len(self._chunks))
            ],
        )

    @classmethod
    def from_folder(cls, folder: Path, embedder: Embedder, *, top_k: int = 3) -> KnowledgeBase:
        return cls(load_chunks(folder), embedder, top_k=top_k)

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self._chunks

    async def search(self, query: str, limit: int | None = None) -> tuple[Passage, ...]:
        """The chunks closest to `query`, best first; none for an empty query."""
        if not query.strip():
            return ()
        return await asyncio.to_thread(self._search, query, limit or self._top_k)

    def _search(self, query: str, limit: int) -> tuple[Passage, ...]:
        vector = self._embedder.encode([query])[0].tolist()
        hits = self._client.query_points(COLLECTION, query=vector, limit=limit).points
        return tuple(Passage(self._chunks[int(h.id)], float(h.score)) for h in hits)

    async def aclose(self) -> None:
        self._client.close()


def knowledge_version(chunks: Sequence[Chunk]) -> str:
    """The content hash of the chunks, ids included."""
    return content_version(*(f"{c.chunk_id}={c.text}" for c in chunks))


def _dimension(embedder: Embedder) -> int:
    return int(embedder.encode(["dimension"]).shape[1])
