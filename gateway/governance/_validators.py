"""The gate's checks as guardrails-ai validators, composed into one AsyncGuard per channel.

Importing this module imports guardrails (about 2-5 s) and registers the
validators, so `Gate` imports it only when it is built with the guardrails
engine. Guardrails' hub telemetry is switched off on every guard: with it on,
each process tries to export traces to the vendor and its exit is delayed.
Nothing here needs the hub, a token or `guardrails configure`.

The member's facts travel in the validator metadata (`FACTS_KEY`); each
failure comes back as error spans whose reason is "<code>: <message>".
"""

from __future__ import annotations

from typing import Any, ClassVar

from guardrails import AsyncGuard
from guardrails.validators import (
    ErrorSpan,
    FailResult,
    PassResult,
    ValidationResult,
    Validator,
    register_validator,
)

from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._repair import drop_sentences
from gateway.governance.rules import CHECKS, ChannelRules, CheckName, RuleBook
from gateway.policy.governance import VIOLATION_CODES, ViolationCode
from gateway.turn import Channel

FACTS_KEY = "loyalty_facts"


class _LoyaltyValidator(Validator):  # type: ignore[misc]
    check_name: ClassVar[CheckName]
    required_metadata_keys: ClassVar[list[str]] = [FACTS_KEY]

    def __init__(self, rules: ChannelRules) -> None:
        # noop: the gate, not guardrails, decides between repair and replacement.
        super().__init__(on_fail="noop")
        self._check = rules.check(self.check_name)

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        facts = metadata[FACTS_KEY]
        if not isinstance(facts, TurnFacts):
            raise TypeError(f"metadata[{FACTS_KEY!r}] must be TurnFacts, not {type(facts)}")
        text = str(value)
        findings = self._check(text, facts)
        if not findings:
            return PassResult()
        return FailResult(
            error_message="; ".join(f.message for f in findings),
            fix_value=drop_sentences(text, findings),
            error_spans=[
                ErrorSpan(start=f.start, end=f.end, reason=f"{f.code}: {f.message}")
                for f in findings
            ],
        )

    async def async_validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        # The checks take microseconds: running them inline is cheaper than the
        # thread-pool hop that guardrails' default async_validate makes.
        result: ValidationResult = self.validate(value, metadata)
        return result


@register_validator(name="loyalty/grounded_offers", data_type="string")
class GroundedOffers(_LoyaltyValidator):
    check_name = "grounded_offers"


@register_validator(name="loyalty/pii", data_type="string")
class PersonalData(_LoyaltyValidator):
    check_name = "pii"


@register_validator(name="loyalty/brand_voice", data_type="string")
class BrandVoice(_LoyaltyValidator):
    check_name = "brand_voice"


@register_validator(name="loyalty/advice", data_type="string")
class Advice(_LoyaltyValidator):
    check_name = "advice"


@register_validator(name="loyalty/links", data_type="string")
class Links(_LoyaltyValidator):
    check_name = "links"


_VALIDATORS: dict[CheckName, type[_LoyaltyValidator]] = {
    "grounded_offers": GroundedOffers,
    "pii": PersonalData,
    "brand_voice": BrandVoice,
    "advice": Advice,
    "links": Links,
}


class GuardFailed(Exception):
    """Guardrails reported an error instead of a validation result."""


class GuardrailsChecker:
    """Runs a channel's validators through its AsyncGuard (built once, here)."""

    def __init__(self, book: RuleBook) -> None:
        self._guards = {channel: _guard(book.for_channel(channel)) for channel in Channel}

    async def findings(self, text: str, facts: TurnFacts) -> list[Finding]:
        outcome = await self._guards[facts.channel].validate(text, metadata={FACTS_KEY: facts})
        if outcome.error:
            raise GuardFailed(str(outcome.error))
        return [
            _finding(span)
            for summary in outcome.validation_summaries or []
            for span in summary.error_spans or []
        ]


def _guard(rules: ChannelRules) -> AsyncGuard:
    # One call of history is enough (the gate keeps its own record) and keeps
    # members' answers from piling up in the guard's memory.
    guard = AsyncGuard(name=f"loyalty-{rules.channel.value}", history_max_length=1)
    guard.configure(allow_metrics_collection=False)
    guard.use(*(_VALIDATORS[name](rules) for name in CHECKS))
    return guard


def _finding(span: ErrorSpan) -> Finding:
    code, _, message = span.reason.partition(": ")
    return Finding(_as_code(code), span.start, span.end, message)


def _as_code(code: str) -> ViolationCode:
    for known in VIOLATION_CODES:
        if known == code:
            return known
    return "gate_error"  # a reason we did not write: treat the check as failed
