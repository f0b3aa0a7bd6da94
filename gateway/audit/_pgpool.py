"""A very small pool of psycopg async connections (psycopg_pool is not a dependency).

Up to `size` connections, opened on demand in autocommit mode (callers open
explicit transactions), each set up once by `setup` before first use. A
connection that comes back broken or inside a transaction is closed, not
reused, so one failed request cannot poison the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from gateway.exceptions import StoreError

Connection = psycopg.AsyncConnection[Any]


class ConnectionPool:
    def __init__(
        self,
        url: str,
        size: int,
        *,
        setup: Callable[[Connection], Awaitable[None]],
        connect_timeout_s: int = 5,
    ) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._url = url
        self._setup = setup
        self._connect_timeout_s = connect_timeout_s
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Connection] = []
        self._closed = False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """Lend one connection; psycopg errors pass through for the caller to translate."""
        async with self._slots:
            if self._closed:
                raise StoreError("audit log is closed")
            conn = self._idle.pop() if self._idle else await self._connect()
            try:
                yield conn
            finally:
                await self._give_back(conn)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()

    async def _connect(self) -> Connection:
        conn = await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=self._connect_timeout_s
        )
        try:
            await self._setup(conn)
        except BaseException:
            await conn.close()
            raise
        return conn

    async def _give_back(self, conn: Connection) -> None:
        reusable = conn.info.transaction_status == TransactionStatus.IDLE
        if self._closed or conn.closed or not reusable:
            await conn.close()
        else:
            self._idle.append(conn)
