"""`SqliteMemberStore`: the embedded default member database (written by `gateway.seed`).

sqlite3 blocks, so every query runs in a worker thread (`asyncio.to_thread`). Each
worker thread gets its own read-only connection: SQLite serves concurrent readers
well, and no lock is held across queries. sqlite3 errors become `StoreError`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from gateway.exceptions import NotFound, StoreError
from gateway.members.schema import SCHEMA_VERSION
from gateway.offers.facts import OfferTerms, Promotion
from gateway.turn import Member, Offer, Purchase, StoreInfo

_OFFER_COLUMNS = "o.offer_id, o.title, o.department, o.category, o.discount_pct, o.min_tier, o.valid_until"
_PROMOTION_GROUPS = "pl.store_id, pl.department, pl.category, pl.kind, pl.starts, pl.ends"
_PROMOTION_COLUMNS = f"{_PROMOTION_GROUPS}, count(*) AS products"


class SqliteMemberStore:
    """Read-only access to a seeded SQLite file; implements `MemberStore`."""

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)
        if not self._path.is_file():
            raise StoreError(f"member database {self._path} does not exist: run `loyalty-gateway seed` first")
        self._uri = f"{self._path.resolve().as_uri()}?mode=ro"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[_Connection] = []
        self._closed = False

    async def __aenter__(self) -> SqliteMemberStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def get_member(self, member_id: str) -> Member:
        rows = await self._query("SELECT * FROM members WHERE member_id = ?", (member_id,))
        if not rows:
            raise NotFound(f"unknown member {member_id!r}")
        return _member(rows[0])

    async def recent_purchases(self, member_id: str, limit: int = 10) -> tuple[Purchase, ...]:
        if limit <= 0:
            return ()
        rows = await self._query(
            "SELECT day, product, department, category, quantity, amount, store_id"
            " FROM purchase_lines WHERE member_id = ? ORDER BY ts DESC, line DESC LIMIT ?",
            (member_id, limit),
        )
        return tuple(_purchase(row) for row in rows)

    async def targeted_offers(self, member_id: str) -> tuple[Offer, ...]:
        rows = await self._query(
            f"SELECT {_OFFER_COLUMNS} FROM offer_targets AS t JOIN offers AS o"
            " ON o.offer_id = t.offer_id WHERE t.member_id = ? ORDER BY t.rank",
            (member_id,),
        )
        return tuple(_offer(row) for row in rows)

    async def store_info(self, store_id: str) -> StoreInfo | None:
        rows = await self._query("SELECT store_id, name, hours FROM stores WHERE store_id = ?", (store_id,))
        return StoreInfo(rows[0]["store_id"], rows[0]["name"], rows[0]["hours"]) if rows else None

    async def offer(self, offer_id: str) -> Offer | None:
        rows = await self._query(
            f"SELECT {_OFFER_COLUMNS} FROM offers AS o WHERE o.offer_id = ?", (offer_id,)
        )
        return _offer(rows[0]) if rows else None

    async def member_since(self, member_id: str) -> date | None:
        rows = await self._query("SELECT member_since FROM members WHERE member_id = ?", (member_id,))
        return date.fromisoformat(rows[0][0]) if rows else None

    async def offer_terms(self, offer_ids: Collection[str]) -> dict[str, OfferTerms]:
        ids = _unique(offer_ids)
        rows = await self._query(
            f"SELECT offer_id, campaign_type, valid_from FROM offers WHERE offer_id IN ({_marks(ids)})",
            tuple(ids),
        ) if ids else []
        return {row["offer_id"]: _terms(row) for row in rows}

    async def stock_level(self, store_id: str, category: str) -> int | None:
        return (await self.stock_levels(store_id, [category]))[category]

    async def stock_levels(self, store_id: str, categories: Collection[str]) -> dict[str, int | None]:
        names = _unique(categories)
        rows = await self._query(
            f"SELECT category, units FROM stock WHERE store_id = ? AND category IN ({_marks(names)})",
            (store_id, *names),
        ) if names else []
        found: dict[str, int] = {row["category"]: row["units"] for row in rows}
        return {name: found.get(name) for name in names}

    async def active_promotions(self, store_id: str, today: date) -> tuple[Promotion, ...]:
        day = today.isoformat()
        rows = await self._query(
            f"SELECT {_PROMOTION_COLUMNS} FROM promotion_lines AS pl"
            " WHERE pl.store_id = ? AND pl.starts <= ? AND pl.ends >= ?"
            f" GROUP BY {_PROMOTION_GROUPS} ORDER BY pl.category, pl.kind, pl.department",
            (store_id, day, day),
        )
        return tuple(_promotion(row) for row in rows)

    async def offer_promotions(
        self, store_id: str, today: date, offer_ids: Collection[str]
    ) -> dict[str, tuple[Promotion, ...]]:
        ids = _unique(offer_ids)
        if not ids:
            return {}
        day = today.isoformat()
        rows = await self._query(
            f"SELECT op.offer_id, {_PROMOTION_COLUMNS} FROM offer_products AS op"
            " JOIN promotion_lines AS pl ON pl.store_id = ? AND pl.product_id = op.product_id"
            f" WHERE op.offer_id IN ({_marks(ids)}) AND pl.starts <= ? AND pl.ends >= ?"
            f" GROUP BY op.offer_id, {_PROMOTION_GROUPS} ORDER BY op.offer_id, pl.category, pl.kind",
            (store_id, *ids, day, day),
        )
        found: dict[str, list[Promotion]] = {}
        for row in rows:
            found.setdefault(row["offer_id"], []).append(_promotion(row))
        return {offer_id: tuple(promotions) for offer_id, promotions in found.items()}

    async def recent_product_ids(self, member_id: str, limit: int = 10) -> tuple[int, ...]:
        if limit <= 0:
            return ()
        rows = await self._query(
            "SELECT product_id FROM purchases WHERE member_id = ? ORDER BY ts DESC, line DESC LIMIT ?",
            (member_id, limit),
        )
        return tuple(int(row["product_id"]) for row in rows)

    async def general_offers(self, limit: int = 20) -> tuple[Offer, ...]:
        if limit <= 0:
            return ()
        rows = await self._query(
            f"SELECT {_OFFER_COLUMNS} FROM offers AS o ORDER BY o.product_count DESC, o.offer_id LIMIT ?",
            (limit,),
        )
        return tuple(_offer(row) for row in rows)

    async def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        await asyncio.to_thread(_close_all, connections)

    async def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        return await asyncio.to_thread(self._fetch, sql, params)

    def _fetch(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        conn, busy = self._connection()
        try:
            with busy:
                if self._closed:
                    raise StoreError("the member store is closed")
                return conn.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"member database {self._path}: {e}") from e

    def _connection(self) -> _Connection:
        if self._closed:
            raise StoreError("the member store is closed")
        opened: _Connection | None = getattr(self._local, "conn", None)
        if opened is None:
            opened = self._open()
            self._local.conn = opened
        return opened

    def _open(self) -> _Connection:
        # check_same_thread=False only so that close() may close it from another thread;
        # each connection is otherwise used by the one thread that opened it.
        conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            _check_schema(conn, self._path)
        except BaseException:
            conn.close()
            raise
        with self._lock:
            if self._closed:
                conn.close()
                raise StoreError("the member store is closed")
            opened = (conn, threading.Lock())
            self._connections.append(opened)
        return opened


# A connection and the lock held while a query runs on it: a query still running in a
# worker thread (e.g. one of several gathered queries after another failed) would crash
# SQLite if close() closed its connection under it, so close() takes each lock first.
_Connection = tuple[sqlite3.Connection, threading.Lock]


def _close_all(connections: list[_Connection]) -> None:
    for conn, busy in connections:
        with busy:
            conn.close()


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"{path} is not a seeded member database ({e}): run `loyalty-gateway seed` first"
        ) from e
    found = row["value"] if row else None
    if found != SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {found!r}, this gateway reads {SCHEMA_VERSION!r}:"
            " run `loyalty-gateway seed` again"
        )


def _member(row: sqlite3.Row) -> Member:
    return Member(
        member_id=row["member_id"],
        tier=row["tier"],
        points=row["points"],
        points_expiring=row["points_expiring"],
        points_expire_on=date.fromisoformat(row["points_expire_on"]),
        annual_spend=row["annual_spend"],
        next_tier=row["next_tier"],
        spend_to_next_tier=row["spend_to_next_tier"],
        home_store_id=row["home_store_id"],
        age_band=row["age_band"],
        income_band=row["income_band"],
    )


def _purchase(row: sqlite3.Row) -> Purchase:
    return Purchase(
        day=date.fromisoformat(row["day"]),
        product=row["product"],
        department=row["department"],
        category=row["category"],
        quantity=row["quantity"],
        amount=row["amount"],
        store_id=row["store_id"],
    )


def _offer(row: sqlite3.Row) -> Offer:
    return Offer(
        offer_id=row["offer_id"],
        title=row["title"],
        department=row["department"],
        category=row["category"],
        discount_pct=row["discount_pct"],
        min_tier=row["min_tier"],
        valid_until=date.fromisoformat(row["valid_until"]),
    )


def _terms(row: sqlite3.Row) -> OfferTerms:
    return OfferTerms(
        offer_id=row["offer_id"],
        offer_type=row["campaign_type"],
        valid_from=date.fromisoformat(row["valid_from"]),
    )


def _promotion(row: sqlite3.Row) -> Promotion:
    return Promotion(
        store_id=row["store_id"],
        department=row["department"],
        category=row["category"],
        kind=row["kind"],
        starts=date.fromisoformat(row["starts"]),
        ends=date.fromisoformat(row["ends"]),
        products=row["products"],
    )


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _marks(values: Collection[object]) -> str:
    return ", ".join("?" for _ in values)
