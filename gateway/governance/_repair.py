"""Repair an answer by dropping the sentences that break a rule, or give up.

Repair keeps what is still true and useful: the offending sentences go, the
answer is trimmed to the channel's length at a sentence boundary, and the
disclosure is prepended where a `missing_disclosure` finding asks for it. If
any finding's rule says "replace", or too little substance is left (a lone
disclosure is not an answer), there is no repair (`None`) and the gate answers
with the channel's fallback instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.governance._facts import Finding
from gateway.governance.sentences import Sentence, split_sentences
from gateway.policy.governance import GovernancePolicy, ViolationCode
from gateway.turn import Channel

# Rules whose repair is not "drop the sentence": they are fixed by trimming or prefixing.
_WHOLE_ANSWER: frozenset[ViolationCode] = frozenset({"too_long", "missing_disclosure"})


def repair(
    text: str,
    findings: Sequence[Finding],
    policy: GovernancePolicy,
    channel: Channel,
    *,
    reserved_chars: int = 0,
) -> str | None:
    """`reserved_chars`: what the gate will prepend itself, out of the channel's length."""
    if any(policy.repair.actions[f.code] == "replace" for f in findings):
        return None
    spans = [(f.start, f.end) for f in findings if f.code not in _WHOLE_ANSWER]
    kept = _without(split_sentences(text), spans)
    substance = [s for s in kept if not policy.discloses(s.text)]
    if len(_join(text, substance)) < policy.repair.min_remaining_chars:
        return None
    prefix = ""
    if any(f.code == "missing_disclosure" for f in findings) and not policy.discloses(
        _join(text, kept)
    ):
        prefix = policy.brand.disclosure.prefix
    budget = policy.channels[channel].max_chars - reserved_chars - (len(prefix) + 1 if prefix else 0)
    while kept and len(_join(text, kept)) > budget:
        kept.pop()  # the end of an answer is the least important part of it
    body = _join(text, kept)
    if len(body) < policy.repair.min_remaining_chars:
        return None
    return f"{prefix} {body}" if prefix else body


def drop_sentences(text: str, findings: Sequence[Finding]) -> str:
    """`text` without the sentences that contain a finding (guardrails' fix value)."""
    return _join(text, _without(split_sentences(text), [(f.start, f.end) for f in findings]))


def _without(sentences: list[Sentence], spans: list[tuple[int, int]]) -> list[Sentence]:
    return [
        s for s in sentences
        if not any(start < s.end and s.start < end for start, end in spans if end > start)
    ]


def _join(text: str, sentences: list[Sentence]) -> str:
    parts: list[str] = []
    previous: Sentence | None = None
    for sentence in sentences:
        if previous is not None:
            parts.append("\n" if "\n" in text[previous.end : sentence.start] else " ")
        parts.append(sentence.text)
        previous = sentence
    return "".join(parts)
