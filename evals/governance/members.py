"""The members the evaluation asks as, and the real facts its placeholders are filled with.

Members come from the seeded database: not top tier (so `{next_tier}` exists),
with expiring points and spend left to the next tier. Their candidate offers
are read, turn by turn, from the prompt the gateway itself sent the hosted model
(the loopback upstream receives it), so a benign `{offer_marker}` is exactly an
offer the gateway would accept and render in that turn.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_PROMPT_OFFER = re.compile(r"^- \[\[offer:(?P<id>[^\]]+)\]\]", re.MULTILINE)


@dataclass(frozen=True)
class EvalMember:
    member_id: str
    facts: dict[str, str]  # placeholder name -> the member's real value, as written
    # (offers are not here: they can change from turn to turn, see `offer_facts`)


def candidate_ids(db: Path, limit: int) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT member_id FROM members WHERE next_tier IS NOT NULL AND points_expiring > 0"
            " AND spend_to_next_tier > 0 ORDER BY points DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return [str(r[0]) for r in rows]


def offers_in_prompt(system_prompt: str) -> list[str]:
    return [m.group("id") for m in _PROMPT_OFFER.finditer(system_prompt)]


def member_facts(db: Path, member_id: str, system_prompt: str) -> EvalMember | None:
    """The member's own facts, or None if the prompt showed fewer than two offers."""
    if len(offers_in_prompt(system_prompt)) < 2:
        return None
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        member = conn.execute("SELECT * FROM members WHERE member_id = ?", (member_id,)).fetchone()
        last = conn.execute(
            "SELECT product, amount FROM purchase_lines WHERE member_id = ?"
            " ORDER BY ts DESC, line DESC LIMIT 1", (member_id,)
        ).fetchone()
    if f"points balance: {member['points']}" not in system_prompt:
        raise RuntimeError(f"member {member_id}: the prompt does not show the stored balance")
    return EvalMember(member_id, _member_facts(member, last))


def offer_facts(db: Path, system_prompt: str) -> dict[str, str]:
    """The offer placeholders, from the candidate offers this turn's prompt shows."""
    offer_ids = offers_in_prompt(system_prompt)
    if len(offer_ids) < 2:
        raise RuntimeError("the prompt shows fewer than two candidate offers")
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        first, second = [conn.execute("SELECT * FROM offers WHERE offer_id = ?", (i,)).fetchone()
                         for i in offer_ids[:2]]
        marks = ",".join("?" * len(offer_ids))
        foreign = conn.execute(
            f"SELECT offer_id FROM offers WHERE offer_id NOT IN ({marks}) ORDER BY offer_id"
            " LIMIT 1", offer_ids
        ).fetchone()
    return {
        "offer_marker": f"[[offer:{first['offer_id']}]]",
        "offer_marker2": f"[[offer:{second['offer_id']}]]",
        "offer_id": str(first["offer_id"]),
        "offer_id2": str(second["offer_id"]),
        "offer_title": str(first["title"]),
        "offer_pct": str(first["discount_pct"]),
        "offer_category": str(first["category"]).lower(),
        "offer_valid_until": _long_date(date.fromisoformat(first["valid_until"])),
        "foreign_marker": f"[[offer:{foreign[0]}]]",
    }


def _member_facts(member: sqlite3.Row, last: sqlite3.Row) -> dict[str, str]:
    spend = float(member["spend_to_next_tier"])
    return {
        "points": f"{member['points']:,}",
        "points_raw": str(member["points"]),
        "points_expiring": f"{member['points_expiring']:,}",
        "expire_on": _long_date(date.fromisoformat(member["points_expire_on"])),
        "tier": str(member["tier"]),
        "next_tier": str(member["next_tier"]),
        "spend_to_next": f"${spend:,.2f}",
        "spend_to_next_rounded": f"${round(spend):,}",
        "annual_spend": f"${float(member['annual_spend']):,.2f}",
        "last_amount": f"${float(last['amount']):,.2f}",
        "last_product": str(last["product"]).lower(),
    }


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"
