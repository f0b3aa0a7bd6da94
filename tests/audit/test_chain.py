"""The pure hash chain that both stores write with and verify against."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from gateway.audit import GENESIS_HASH, StoredRecord, canonical_json, chain_hash, verify_rows

AT = datetime(2024, 1, 1, tzinfo=UTC)


def _rows(n: int) -> list[StoredRecord]:
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        payload = canonical_json({"decision_id": f"dec_{seq}", "created_at": AT.isoformat()})
        digest = chain_hash(prev, payload)
        rows.append(StoredRecord(seq, f"dec_{seq}", AT, payload, prev, digest))
        prev = digest
    return rows


def test_hash_is_sha256_of_prev_hash_newline_payload() -> None:
    expected = hashlib.sha256(f"{GENESIS_HASH}\n{{}}".encode()).hexdigest()

    assert chain_hash(GENESIS_HASH, "{}") == expected
    assert GENESIS_HASH == "0" * 64


def test_intact_rows_verify_with_their_count_and_head_hash() -> None:
    rows = _rows(4)

    report = verify_rows(rows)

    assert (report.ok, report.checked, report.first_broken_seq) == (True, 4, None)
    assert report.head_hash == rows[-1].hash


def test_an_empty_log_is_intact() -> None:
    report = verify_rows([])

    assert (report.ok, report.checked, report.head_hash) == (True, 0, None)


def test_edited_payload_is_named_as_a_hash_mismatch() -> None:
    rows = _rows(4)
    rows[2] = replace(rows[2], payload=rows[2].payload.replace("dec_3", "dec_X"))

    report = verify_rows(rows)

    assert (report.ok, report.checked, report.first_broken_seq) == (False, 2, 3)
    assert report.reason is not None and report.reason.startswith("payload hash mismatch")


def test_rehashed_edit_is_caught_by_the_next_rows_link() -> None:
    rows = _rows(4)
    payload = rows[1].payload.replace("dec_2", "dec_Y")
    rows[1] = replace(rows[1], payload=payload, hash=chain_hash(rows[1].prev_hash, payload))

    report = verify_rows(rows)

    # Row 2 now hashes correctly but its decision_id column disagrees with it.
    assert report.first_broken_seq == 2
    assert report.reason == "decision_id column does not match the payload"


def test_a_missing_row_is_named_as_a_seq_gap() -> None:
    rows = _rows(4)
    del rows[1]

    report = verify_rows(rows)

    assert (report.first_broken_seq, report.checked) == (2, 1)
    assert report.reason == "seq gap: expected seq 2, found 3"


def test_first_row_must_link_to_the_genesis_hash() -> None:
    rows = _rows(2)
    rows[0] = replace(rows[0], prev_hash="f" * 64)

    report = verify_rows(rows)

    assert report.first_broken_seq == 1
    assert report.reason is not None and report.reason.startswith("prev_hash link broken")
