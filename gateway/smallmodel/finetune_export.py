"""`loyalty-gateway export-dataset`: approved, governed turns as OpenAI fine-tuning chat JSONL.

One line per exported turn, in the format OpenAI's fine-tuning (and most
open-source trainers) read:

    {"messages": [{"role": "system", "content": <prompts/finetune/system.j2>},
                  {"role": "user", "content": <the member's question>},
                  {"role": "assistant", "content": <the answer the member got>}]}

Which turns: recorded chat turns whose answer passed the gate untouched (action
`pass`, no violation), that no input rail flagged, that were not answered by a
fallback (those say "I cannot answer now", nothing worth learning), that
nobody rated thumbs-down, and whose member has not been erased since (the audit
log keeps an erased member's turns as the record of what was done; it does not
make them training data). The system prompt is the generic one, never the
member-specific prompt of the turn.

Personal data is replaced by placeholders before a line is written: e-mail
addresses, phone and card numbers (the gate's own detectors, with nothing
counted as typed by the member), member ids, street addresses and postcodes,
and the member's exact points, spend and expiry date from the turn's recorded
context. The file is written whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gateway.audit import AuditLog, AuditRecord, feedback_of, is_answered_turn, scan
from gateway.governance._facts import TurnFacts  # the gate's detectors, reused as they are
from gateway.governance._normalise import normalise
from gateway.governance._pii import PiiCheck
from gateway.policy.governance import GovernancePolicy
from gateway.smallmodel.feedback_data import erased_member
from gateway.turn import Channel

SYSTEM_TEMPLATE = "finetune/system"
_PII_PLACEHOLDER = {"pii_email": "<EMAIL>", "pii_phone": "<PHONE>", "pii_card": "<CARD_NUMBER>"}
_MEMBER_LABEL = re.compile(
    r"\b(member|account|loyalty)\s*(?:id|number|no\.?|#)\s*[:#]?\s*[\w-]{3,}", re.I
)
_STREET = re.compile(
    r"\b\d{1,6}\s+(?:[A-Za-z0-9.'-]+\s+){0,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|"
    r"drive|dr|court|ct|way|place|pl|terrace|parkway|pkwy|highway|hwy)\b\.?"
    r"(?:,?\s*(?:apt|apartment|suite|unit|#)\.?\s*\w+)?",
    re.I,
)
_POSTCODE = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
_NO_TYPED_TEXT = TurnFacts(
    channel=Channel.APP, tier="", next_tier=None, points=frozenset(), money=(), dates=frozenset(),
    today=date(2000, 1, 1), offers=(), approved_texts=(), user_text="",
)


@dataclass
class ExportReport:
    out: Path
    exported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


class Scrubber:
    """Replaces personal data in one turn's texts by placeholders."""

    def __init__(self, policy: GovernancePolicy) -> None:
        self._pii = PiiCheck(policy.pii, policy.links.top_level_domains)

    def scrub(self, text: str, record: AuditRecord) -> str:
        text = self._contact_and_cards(text)
        text = _MEMBER_LABEL.sub(lambda m: f"{m.group(1)} id <MEMBER_ID>", text)
        if len(record.member_id) >= 3:
            text = re.sub(rf"(?<![\w-]){re.escape(record.member_id)}(?![\w-])", "<MEMBER_ID>", text)
        text = _POSTCODE.sub("<POSTCODE>", _STREET.sub("<ADDRESS>", text))
        for pattern, placeholder in _member_numbers(record):
            text = pattern.sub(placeholder, text)
        return text

    def _contact_and_cards(self, text: str) -> str:
        findings = sorted(self._pii.findings(normalise(text), _NO_TYPED_TEXT), key=lambda f: -f.start)
        for finding in findings:
            text = text[: finding.start] + _PII_PLACEHOLDER.get(finding.code, "<PII>") + text[finding.end :]
        return text


async def export_dataset(
    log: AuditLog, out: Path, *, system_prompt: str, scrubber: Scrubber,
    since: datetime | None = None, channels: Iterable[str] = (),
) -> ExportReport:
    """Write the JSONL file (atomically) and count what was exported and skipped, by reason."""
    wanted = frozenset(channels)
    rated_down, erased = await _exclusions(log, since)
    report = ExportReport(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as file:
            async for row in scan(log, since=since):
                record = row.record()
                if not is_answered_turn(record):
                    continue  # feedback, offer decisions: not conversations
                reason = skip_reason(record, rated_down, wanted, erased=erased)
                if reason is not None:
                    report.skipped[reason] += 1
                    continue
                file.write(json.dumps(_line(record, system_prompt, scrubber), ensure_ascii=False) + "\n")
                report.exported += 1
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return report


def skip_reason(
    record: AuditRecord, rated_down: frozenset[str], channels: frozenset[str], *,
    erased: frozenset[str] = frozenset(),
) -> str | None:
    """Why a recorded turn is not exported (the first rule that applies), or None to export it."""
    rules = (
        ("member_erased", record.member_id in erased),
        ("other_channel", bool(channels) and record.channel not in channels),
        ("input_rail_flagged",
         bool(record.extra.get("input_rails")) or any(f.startswith("input_rail") for f in record.flags)),
        ("gate_changed_or_flagged_the_answer", record.gate_action != "pass" or bool(record.violations)),
        ("fallback_answer", record.draft_route == "fallback"),
        ("thumbs_down", record.decision_id in rated_down),
    )
    return next((reason for reason, applies in rules if applies), None)


async def _exclusions(log: AuditLog, since: datetime | None) -> tuple[frozenset[str], frozenset[str]]:
    """Decision ids rated thumbs-down, and erased members (either comes after the turn)."""
    down, erased = set(), set()
    async for row in scan(log, since=since):
        record = row.record()
        feedback = feedback_of(record)
        if feedback is not None and feedback.rating == "down":
            down.add(feedback.decision_id)
        if (member := erased_member(record)) is not None:
            erased.add(member)
    return frozenset(down), frozenset(erased)


def _line(record: AuditRecord, system_prompt: str, scrubber: Scrubber) -> dict[str, Any]:
    assert record.final_text is not None  # an answered turn
    return {
        "messages": [
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": scrubber.scrub(record.query, record)},
            {"role": "assistant", "content": scrubber.scrub(record.final_text, record)},
        ]
    }


def _member_numbers(record: AuditRecord) -> list[tuple[re.Pattern[str], str]]:
    """Patterns for this member's exact figures, most specific first."""
    context = record.extra.get("context")
    member: dict[str, Any] = context.get("member", {}) if isinstance(context, dict) else {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for key, placeholder in (("points", "<POINTS>"), ("points_expiring", "<POINTS_EXPIRING>")):
        value = member.get(key, record.facts.member_points if key == "points" and record.facts else None)
        if isinstance(value, int) and value >= 10:
            patterns.append((_number(f"{value:,}", str(value)), placeholder))
    for key in ("annual_spend", "spend_to_next_tier"):
        value = member.get(key)
        if isinstance(value, int | float) and value >= 1:
            patterns.append((_number(f"${value:,.2f}", f"{value:,.2f}", f"{value:.2f}"), "<AMOUNT>"))
    expires = member.get("points_expire_on")
    if isinstance(expires, str):
        day = date.fromisoformat(expires)
        patterns.append((re.compile("|".join(map(re.escape, (f"{day:%B} {day.day}, {day.year}", expires)))),
                         "<EXPIRY_DATE>"))
    return patterns


def _number(*forms: str) -> re.Pattern[str]:
    """Any of `forms`, not as part of a longer number."""
    alternatives = "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))
    return re.compile(rf"(?<![\d,.$])(?:{alternatives})(?![\d]|[.,]\d)")
