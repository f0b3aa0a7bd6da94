"""Semantic cache in Qdrant: a paraphrase of a question already answered reuses the answer.

Only shareable answers are stored: a lookup *template* (its intent; the answer is
re-rendered from the asking member's live data) or an *answer* text that carries
nothing of the member who asked first (`shareable_answer`). An entry is found
only inside its scope (channel, locale, prompt version, policy version), only
before it expires, only at or above the policy's calibrated cosine threshold, and
only when the query and the entry agree on the policy's slots: the words that flip
a meaning while barely moving the embedding ("saturday" / "sunday", "how late" /
"how early", "not", a number, "expiry" / "balance"). Cosine alone scores such
near-misses at 0.92-0.94, above most true paraphrases (evals/cache/report.md).
The member an entry was derived from is kept as a SHA-256 hash, so an erasure can
remove it without the cache holding the raw id.

Each scope is its own Qdrant collection. In qdrant-client's embedded mode a
payload filter is evaluated in Python point by point (about 30 ms over 1,000
points here), while an unfiltered search of a small collection takes about 1 ms;
keeping the exact-match scope in the collection name gives the fast path, and
expiry is checked on the few nearest points. The calls are synchronous and run
on the event loop on purpose: they take about a millisecond (evals/cache/report.md
has p50/p99), less than a thread hand-off would save, and a single thread means
no two coroutines ever mutate the embedded store at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from gateway.exceptions import StoreError
from gateway.policy.routing import SemanticCachePolicy, SlotGroup
from gateway.smallmodel.embedder import EMBEDDING_DIM, Embedder
from gateway.turn import MemberContext

EntryKind = Literal["template", "answer"]
T = TypeVar("T")
Clock = Callable[[], float]
Slots = dict[str, list[str]]  # slot group name -> the values a question names, sorted

COLLECTION_PREFIX = "semcache_"
CANDIDATES = 8  # nearest points checked for expiry before giving up on a lookup
PURGE_EVERY_S = 60.0


@dataclass(frozen=True)
class SemanticScope:
    channel: str
    locale: str
    prompt_version: str
    policy_version: str


@dataclass(frozen=True)
class SemanticHit:
    entry_id: str
    similarity: float
    threshold: float
    kind: EntryKind
    intent: str | None
    text: str | None


def open_semantic_cache(
    path: Path | None, policy: SemanticCachePolicy, embedder: Embedder
) -> SemanticCache:
    """In memory, or in a folder that survives restarts (qdrant-client embedded mode)."""
    try:
        client = QdrantClient(location=":memory:") if path is None else QdrantClient(path=str(path))
    except (ValueError, RuntimeError, OSError) as e:
        raise StoreError(f"cannot open the semantic cache at {path}: {e}") from e
    return SemanticCache(client, policy, embedder=embedder)


def member_hash(member_id: str) -> str:
    return hashlib.sha256(member_id.encode("utf-8")).hexdigest()


class SemanticCache:
    """One per process; the scope (which carries the policy version) picks the collection."""

    def __init__(
        self,
        client: QdrantClient,
        policy: SemanticCachePolicy,
        *,
        embedder: Embedder,
        clock: Clock = time.time,
    ) -> None:
        self._client = client
        self._policy = policy  # the default; a router passes its own policy version's
        self._embedder = embedder
        self._space = embedder.model_id  # vectors of another embedding space never mix
        self._clock = clock
        self._next_purge = 0.0

    async def embed(self, text: str) -> npt.NDArray[np.float32]:
        """The query's unit vector, for a caller that has not embedded it already."""
        vectors = await asyncio.to_thread(self._embedder.encode, [text])
        vector: npt.NDArray[np.float32] = vectors[0]
        return vector

    async def lookup(
        self, vector: npt.NDArray[np.float32], scope: SemanticScope,
        *, query: str | None = None, policy: SemanticCachePolicy | None = None,
    ) -> SemanticHit | None:
        """The nearest live entry at or above the threshold whose slots agree with `query`'s.

        Without `query` the question is taken to name no slot value: only entries
        that name none of the `exact` groups' values can then hit."""
        rules = policy or self._policy
        name = self._collection(scope)
        points = self._call(lambda: self._nearest(name, vector, rules.threshold))
        now = self._clock()
        asked = slot_values(query or "", rules.slots)
        for point in points:
            payload = point.payload or {}
            if float(payload.get("expires_at", 0.0)) <= now:
                continue
            if slots_agree(asked, payload.get("slots") or {}, rules.slots):
                return _hit(point, rules.threshold)
        return None

    async def store(
        self, vector: npt.NDArray[np.float32], scope: SemanticScope, *, kind: EntryKind,
        intent: str | None = None, text: str | None = None, source_member_id: str, query: str,
        policy: SemanticCachePolicy | None = None,
    ) -> str | None:
        """Add an entry; returns its id, or None when the entry is not storable."""
        rules = policy or self._policy
        if (kind == "template" and not intent) or (kind == "answer" and not text):
            return None
        entry_id = str(uuid.uuid4())
        now = self._clock()
        payload = {
            "channel": scope.channel, "locale": scope.locale,
            "prompt_version": scope.prompt_version, "policy_version": scope.policy_version,
            "kind": kind, "intent": intent, "text": text, "query": query,
            "member_hash": member_hash(source_member_id), "slots": slot_values(query, rules.slots),
            "created_at": now, "expires_at": now + rules.ttl_s,
        }
        point = qm.PointStruct(id=entry_id, vector=_as_list(vector), payload=payload)
        name = self._collection(scope)
        self._call(lambda: self._ensure(name))
        self._call(lambda: self._make_room(name, rules.max_entries_per_scope))
        self._call(lambda: self._client.upsert(name, [point]))
        if now >= self._next_purge:
            self._next_purge = now + PURGE_EVERY_S
            await self.purge_expired()
        return entry_id

    async def forget_member(self, member_id: str) -> int:
        """Erasure: remove every entry derived from this member, in every scope."""
        condition = qm.FieldCondition(key="member_hash", match=qm.MatchValue(value=member_hash(member_id)))
        return self._call(lambda: self._delete_where(qm.Filter(must=[condition])))

    async def purge_expired(self) -> int:
        """Remove expired entries and drop scopes left empty (e.g. retired policy versions)."""
        condition = qm.FieldCondition(key="expires_at", range=qm.Range(lte=self._clock()))
        removed = self._call(lambda: self._delete_where(qm.Filter(must=[condition])))
        self._call(self._drop_empty)
        return removed

    async def close(self) -> None:
        self._client.close()

    async def size(self, scope: SemanticScope) -> int:
        name = self._collection(scope)
        return self._call(lambda: self._count(name, None))

    # -- synchronous Qdrant calls -------------------------------------------------

    def _nearest(self, name: str, vector: npt.NDArray[np.float32], threshold: float) -> list[Any]:
        if not self._client.collection_exists(name):
            return []
        result = self._client.query_points(
            name, query=_as_list(vector), limit=CANDIDATES, score_threshold=threshold,
            with_payload=True,
        )
        return list(result.points)

    def _ensure(self, name: str) -> None:
        if not self._client.collection_exists(name):
            self._client.create_collection(
                name, vectors_config=qm.VectorParams(size=EMBEDDING_DIM, distance=qm.Distance.COSINE)
            )

    def _make_room(self, name: str, max_entries: int) -> None:
        if self._count(name, None) < max_entries:
            return
        expired = qm.FieldCondition(key="expires_at", range=qm.Range(lte=self._clock()))
        self._delete_in(name, qm.Filter(must=[expired]))
        excess = self._count(name, None) - max_entries + 1
        if excess > 0:
            oldest = sorted(self._scroll(name, None), key=lambda p: float((p.payload or {})["created_at"]))
            self._client.delete(name, qm.PointIdsList(points=[p.id for p in oldest[:excess]]))

    def _delete_where(self, where: qm.Filter) -> int:
        return sum(self._delete_in(name, where) for name in self._collections())

    def _delete_in(self, name: str, where: qm.Filter) -> int:
        ids = [p.id for p in self._scroll(name, where)]
        if ids:
            self._client.delete(name, qm.PointIdsList(points=ids))
        return len(ids)

    def _drop_empty(self) -> None:
        for name in self._collections():
            if self._count(name, None) == 0:
                self._client.delete_collection(name)

    def _scroll(self, name: str, where: qm.Filter | None) -> list[qm.Record]:
        records: list[qm.Record] = []
        offset: Any = None
        while True:
            page, offset = self._client.scroll(
                name, scroll_filter=where, limit=1000, offset=offset, with_payload=True
            )
            records.extend(page)
            if offset is None:
                return records

    def _count(self, name: str, where: qm.Filter | None) -> int:
        if not self._client.collection_exists(name):
            return 0
        return int(self._client.count(name, count_filter=where, exact=True).count)

    def _collections(self) -> list[str]:
        names = (c.name for c in self._client.get_collections().collections)
        return [n for n in names if n.startswith(COLLECTION_PREFIX)]

    def _collection(self, scope: SemanticScope) -> str:
        material = "\x1f".join(
            (self._space, scope.channel, scope.locale, scope.prompt_version, scope.policy_version)
        )
        return COLLECTION_PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except (ValueError, RuntimeError, OSError) as e:
            raise StoreError(f"semantic cache failed: {e}") from e


def _hit(point: Any, threshold: float) -> SemanticHit:
    payload = point.payload or {}
    return SemanticHit(
        entry_id=str(point.id), similarity=float(point.score), threshold=threshold,
        kind="answer" if payload.get("kind") == "answer" else "template",
        intent=payload.get("intent"), text=payload.get("text"),
    )


def _as_list(vector: npt.NDArray[np.float32]) -> list[float]:
    flat = np.asarray(vector, dtype=np.float32).reshape(-1)
    if flat.shape[0] != EMBEDDING_DIM:
        raise ValueError(f"a semantic cache vector has {EMBEDDING_DIM} dimensions, not {flat.shape[0]}")
    return [float(x) for x in flat]


# -- slots: the words that flip a meaning ----------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def slot_values(text: str, groups: Sequence[SlotGroup]) -> Slots:
    """The values of each slot group that `text` names (groups it names none of are left out).

    Longer terms are matched first, and a term lying inside one already matched does
    not count: "gluten free" is a product, not also a price ("free"); "more than one"
    is not also "one". Terms that only overlap both count."""
    words = _fold(text)
    spans: list[tuple[int, int]] = []
    found: dict[str, set[str]] = {}
    for size, group, value, term in _terms(tuple(groups)):
        for start in range(len(words) - size + 1):
            end = start + size
            if words[start:end] == term and not any(s <= start and end <= e for s, e in spans):
                spans.append((start, end))
                found.setdefault(group, set()).add(value)
    for rules in groups:
        digits = {w for i, w in enumerate(words) if w.isdigit() and not any(s <= i < e for s, e in spans)}
        if rules.numbers and digits:
            found.setdefault(rules.name, set()).update(digits)
    return {name: sorted(values) for name, values in found.items()}


def slots_agree(asked: Mapping[str, Sequence[str]], entry: Mapping[str, Sequence[str]],
                groups: Sequence[SlotGroup]) -> bool:
    """`exact` groups must name the same values on both sides; `conflict` groups may not differ
    when both sides name some."""
    for group in groups:
        mine, theirs = set(asked.get(group.name, ())), set(entry.get(group.name, ()))
        if mine == theirs:
            continue
        if group.mode == "exact" or (mine and theirs):
            return False
    return True


def _fold(text: str) -> list[str]:
    """Lowercase words, apostrophes dropped ("can't" -> "cant"), a plural "s" dropped ("sundays")."""
    words = _WORD.findall(text.casefold().replace("'", "").replace("\u2019", ""))
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w
            for w in words]


@lru_cache(maxsize=16)
def _terms(groups: tuple[SlotGroup, ...]) -> list[tuple[int, str, str, list[str]]]:
    """(length in words, group, value, folded words) of every term, longest first."""
    terms = [(len(w), g.name, value, w) for g in groups for value, listed in g.values.items()
             for w in (_fold(t) for t in listed) if w]
    return sorted(terms, key=lambda t: -t[0])


# -- what may be shared -----------------------------------------------------------

_DIGIT = re.compile(r"\d")
_OFFER_MARKER = "[[offer:"
# Prompt sections that differ by member, store or place; "knowledge" (program FAQ) is the same for all.
_SITUATED_FACTS = frozenset({"weather", "promotions", "complements"})


def shareable_answer(text: str, context: MemberContext, offers_rendered: Iterable[str]) -> bool:
    """True only when an answer carries nothing of this member and no rendered offer.

    Conservative: any digit counts as possibly member-derived (points, spend,
    dates, a store's hours, rounded figures), as does any mention of the member's
    id, tier, purchased products or the turn's store; and an answer written from a
    prompt that showed the member's recent moments, basket complements, the
    store's promotions or the weather is never shared, whatever its words.
    """
    if tuple(offers_rendered) or _OFFER_MARKER in text or _DIGIT.search(text):
        return False
    if context.moments or any(f.section in _SITUATED_FACTS for f in context.facts):
        return False  # the prompt showed this member's moments, basket, store or weather
    folded = text.casefold()
    return not any(value.casefold() in folded for value in _member_values(context))


def _member_values(context: MemberContext) -> list[str]:
    member = context.member
    values = [member.member_id, member.tier, *(p.product for p in context.recent_purchases)]
    if member.next_tier:
        values.append(member.next_tier)
    if context.store is not None:
        values.extend((context.store.name, context.store.hours, context.store.store_id))
    if context.metadata.store_id:
        values.append(context.metadata.store_id)
    for field in (context.metadata.location, context.metadata.weather):
        if field:
            values.append(field)
    return [v for v in values if len(v.strip()) >= 3 or v.strip().isdigit()]
