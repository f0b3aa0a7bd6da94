"""Training examples from answer feedback in the audit log, and the rules that pick them.

Which rated turns become examples (one per turn; the latest feedback of each kind wins):

1. **Corrected**: an associate named the right intent → (the turn's query, that intent).
   A correction counts even when the turn was also rated down: the label is known.
2. **Thumbs down, no correction**: left out. We know the answer was wrong, not what
   the question was, so it is never used as a positive example of the intent served.
3. **Thumbs up on a small-model answer** (route `small_model`, or the exact cache
   re-rendering one): (query, the intent served). The member confirmed the template
   answered the question they asked.
4. **Thumbs up on a hosted-LLM or fallback answer**: left out. A good LLM answer says
   nothing about which intent the question was (a deferred lookup is answered well too).
5. **The member was erased** (an erasure record in the log, `DELETE /v1/members/{id}`):
   left out, whatever the feedback. The audit log keeps their turns as the record of
   what the gateway did; it does not make them training data.

Leakage (`screen_feedback`): the held-out split is drawn from the labelled file alone,
so that every version is judged on the same examples. A feedback example whose text
(case and spaces ignored) is a held-out text is dropped: training on it would let the
new version see its own exam. One equal to a labelled training text is dropped too
(the curated label wins over feedback), and repeats of one text keep the latest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gateway.audit import AnswerFeedback, AuditLog, AuditRecord, feedback_of, is_answered_turn, scan
from gateway.smallmodel.dataset import Example
from gateway.smallmodel.labels import EXAMPLE_CHANNELS, INTENTS, is_lookup

_TEMPLATE_ROUTES = ("small_model", "cache")
_ERASURE_MODEL = "erasure"  # `requested_model` of the records `gateway.consent.erasure` writes


@dataclass(frozen=True)
class FeedbackExamples:
    """Examples drawn from feedback, with how many rated turns were left out and why."""

    examples: tuple[Example, ...]
    rated_turns: int
    used: dict[str, int] = field(default_factory=dict)  # rule → examples
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rated turns


def erased_member(record: AuditRecord) -> str | None:
    """The member an erasure record is about, or None for any other record."""
    return record.member_id if record.requested_model == _ERASURE_MODEL else None


def normalised(text: str) -> str:
    """The form duplicates are found in (as the labelled set's own duplicate check)."""
    return " ".join(text.lower().split())


async def feedback_examples(log: AuditLog, *, since: datetime | None = None) -> FeedbackExamples:
    """Scan the log for answer feedback and turn the rated turns into examples."""
    by_turn: dict[str, list[AnswerFeedback]] = {}
    erased: set[str] = set()
    async for row in scan(log, since=since):
        record = row.record()
        feedback = feedback_of(record)
        if feedback is not None:
            by_turn.setdefault(feedback.decision_id, []).append(feedback)
        if (member := erased_member(record)) is not None:
            erased.add(member)
    examples, used, skipped = [], Counter[str](), Counter[str]()
    for decision_id, items in by_turn.items():
        stored = await log.get(decision_id)
        turn = stored.record() if stored is not None else None
        example, why = example_from(turn, items, erased=erased)
        if example is None:
            skipped[why] += 1
        else:
            examples.append(example)
            used[why] += 1
    return FeedbackExamples(tuple(examples), len(by_turn), dict(used), dict(skipped))


def example_from(
    turn: AuditRecord | None, items: Sequence[AnswerFeedback], *, erased: Collection[str] = ()
) -> tuple[Example | None, str]:
    """The example one rated turn gives (or None) and the rule that decided it."""
    unusable = _unusable(turn, erased)
    if unusable is not None or turn is None:
        return None, unusable or "turn_missing"
    corrections = [f.correction for f in items if f.correction in INTENTS]
    if corrections:
        return Example(turn.query.strip(), str(corrections[-1]), turn.channel), "corrected"
    if any(f.rating == "down" for f in items):
        return None, "thumbs_down"
    route = turn.route
    if route is None or route.route not in _TEMPLATE_ROUTES or not is_lookup(route.intent or ""):
        return None, "up_not_a_small_model_answer"
    return Example(turn.query.strip(), str(route.intent), turn.channel), "confirmed_by_thumbs_up"


def _unusable(turn: AuditRecord | None, erased: Collection[str]) -> str | None:
    if turn is None or not is_answered_turn(turn):
        return "turn_missing"
    if turn.member_id in erased:
        return "member_erased"
    return None if turn.channel in EXAMPLE_CHANNELS else "channel_not_trained"


def screen_feedback(
    feedback: Iterable[Example], labelled: Sequence[Example], heldout_rows: Iterable[int]
) -> tuple[list[Example], dict[str, int]]:
    """Feedback examples safe to train on, and how many were dropped for each reason."""
    held = {normalised(labelled[i].text) for i in heldout_rows}
    labelled_texts = {normalised(e.text) for e in labelled}
    kept: dict[str, Example] = {}
    dropped = Counter[str]()
    for example in feedback:
        key = normalised(example.text)
        if key in held:
            dropped["in_heldout_split"] += 1
        elif key in labelled_texts:
            dropped["in_labelled_training_set"] += 1
        else:
            if key in kept:
                dropped["repeated_text_latest_kept"] += 1
                del kept[key]
            kept[key] = example
    return list(kept.values()), dict(dropped)
