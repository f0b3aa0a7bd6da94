"""The governance gate: every answer passes it, is repaired, or is replaced.

    check(text) ──► render offer markers ──► run the channel's checks
        no findings ─────────────────────────────────────────► pass
        findings ──► repair allowed? drop sentences, trim, disclose ──► re-check
            clean ───────────────────────────────────────────► repaired
            otherwise ──► the channel's safe fallback ───────► replaced

A violation never passes through: a repaired answer is checked again, the
fallbacks are checked when the gate is built, and a check that fails to run
replaces the answer (violation `gate_error`).

The AI disclosure a channel requires is, like the offer terms, the gate's own
wording: unless an earlier answer of the conversation gave it, the gate
prepends it to an answer that lacks it (policy `brand.disclosure.added_by_gate`)
and counts it against the channel's length. It is not a violation then, so
small-model answers on the kiosk pass (and can be cached) instead of being
"repaired" every time.

With a trained claim classifier (`semantic=`), the sentences the rules passed
are scored too, in one embedding call per answer; one over the threshold is a
`semantic_claim` (policy `repair.actions`, `semantic`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import warnings
from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol

from gateway.exceptions import ConfigError
from gateway.governance._facts import SECTION, Finding, TurnFacts, no_facts
from gateway.governance._normalise import normalise
from gateway.governance._pii import mask
from gateway.governance._repair import repair
from gateway.governance._semantic import ClaimClassifier
from gateway.governance.markers import offers_shown, render_markers
from gateway.governance.rules import RuleBook
from gateway.policy.governance import GovernancePolicy, ViolationCode
from gateway.turn import Channel, GateAction, MemberContext, Verdict, Violation

Engine = Literal["guardrails", "rules"]
_log = logging.getLogger(__name__)
_MASKED: frozenset[ViolationCode] = frozenset({"pii_email", "pii_phone", "pii_card"})


class Checker(Protocol):
    async def findings(self, text: str, facts: TurnFacts) -> list[Finding]: ...


class RuleChecker:
    """The checks called directly, without guardrails (same rules, same findings)."""

    def __init__(self, book: RuleBook) -> None:
        self._book = book

    async def findings(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._book.for_channel(facts.channel).check_all(text, facts)


class Gate:
    """`engine`: "guardrails" (the checks as validators of one AsyncGuard per channel),
    "rules" (the same checks called directly), or any `Checker` (tests use this
    to make the checks fail). `semantic`: the learned second check, which scores
    the sentences the rules passed (None: the rules alone)."""

    def __init__(
        self,
        policy: GovernancePolicy,
        policy_version: str,
        *,
        engine: Engine | Checker = "guardrails",
        semantic: ClaimClassifier | None = None,
    ) -> None:
        self._policy = policy
        self._version = policy_version
        book = RuleBook(policy)
        _check_fallbacks(policy, book)
        self._checker = _checker(engine, book)
        self._semantic = semantic if policy.semantic.enabled else None
        if self._semantic is not None:
            _check_fallbacks_semantic(policy, self._semantic)

    @property
    def policy_version(self) -> str:
        return self._version

    async def check(
        self,
        text: str,
        context: MemberContext,
        channel: Channel,
        *,
        user_text: str,
        earlier_answers: Sequence[str] = (),
    ) -> Verdict:
        """`earlier_answers`: the assistant's answers earlier in this conversation."""
        rendered = render_markers(text, context)
        base = TurnFacts.build(context, channel, user_text, self._policy.claims,
                               disclosed=self._disclosed_before(channel, earlier_answers))
        shown, findings = await self._judge(rendered.text, base)
        if not findings:
            return self._verdict("pass", shown, [], rendered.offer_ids)
        violations = [_violation(f, rendered.text) for f in findings]
        reserved = len(shown) - len(rendered.text)
        repaired = repair(rendered.text, findings, self._policy, channel, reserved_chars=reserved)
        if repaired is not None:
            shown, again = await self._judge(repaired, base)
            if not again:
                return self._verdict("repaired", shown, violations,
                                     offers_shown(repaired, context))
            violations += [_violation(f, repaired) for f in again]
        fallback = self._policy.channels[channel].fallback
        return self._verdict("replaced", fallback, violations, ())

    async def _judge(self, text: str, base: TurnFacts) -> tuple[str, list[Finding]]:
        """The checks' findings on `text`, and `text` as it would be shown if it passed."""
        prefix = self._disclosure_prefix(text, base)
        facts = dataclasses.replace(base, disclosed=base.disclosed or bool(prefix),
                                    reserved_chars=len(prefix) + 1 if prefix else 0)
        findings = await self._findings(text, facts)
        return (f"{prefix} {text}" if prefix else text), findings

    def _disclosure_prefix(self, text: str, facts: TurnFacts) -> str:
        disclosure = self._policy.brand.disclosure
        required = self._policy.channels[facts.channel].disclosure_required
        if not (required and disclosure.added_by_gate) or facts.disclosed:
            return ""
        return "" if self._policy.discloses(normalise(text).text) else disclosure.prefix

    def _disclosed_before(self, channel: Channel, earlier_answers: Sequence[str]) -> bool:
        if not self._policy.brand.disclosure.once_per_conversation:
            return False
        if not self._policy.channels[channel].disclosure_required:
            return False
        return any(self._policy.discloses(normalise(a).text) for a in earlier_answers)

    async def _findings(self, text: str, facts: TurnFacts) -> list[Finding]:
        try:
            found = await self._checker.findings(text, facts)
            if self._semantic is not None:
                found = [*found, *await asyncio.to_thread(
                    self._semantic.findings, text, facts, found, self._policy.semantic.threshold)]
        except Exception as e:  # fail closed: an unchecked answer is never sent
            _log.exception("governance checks failed to run")
            return [Finding("gate_error", 0, 0, f"the checks failed to run ({type(e).__name__})")]
        return sorted(found, key=lambda f: (f.start, f.end, f.code))

    def _verdict(
        self,
        action: GateAction,
        text: str,
        violations: list[Violation],
        offers: tuple[str, ...],
    ) -> Verdict:
        return Verdict(action, text, tuple(violations), offers, self._version)


def _violation(finding: Finding, text: str) -> Violation:
    excerpt = text[finding.start : finding.end]
    if finding.code in _MASKED:
        excerpt = mask(excerpt)  # the verdict is audited; it must not keep a copy
    elif finding.code == "too_long":
        excerpt = excerpt[:60]
    elif not excerpt:
        excerpt = text[:60]
    return Violation(finding.code, SECTION[finding.code], excerpt, finding.message)


def _check_fallbacks(policy: GovernancePolicy, book: RuleBook) -> None:
    """Each channel's fallback must pass that channel's checks with no member facts."""
    for channel, rules in policy.channels.items():
        found = book.for_channel(channel).check_all(rules.fallback, no_facts(channel, date.min))
        if found:
            problems = ", ".join(f"{f.code} ({f.message})" for f in found)
            raise ConfigError(f"governance policy: the {channel.value} fallback fails its own "
                              f"checks: {problems}")


def _check_fallbacks_semantic(policy: GovernancePolicy, semantic: ClaimClassifier) -> None:
    """The fallbacks must not be flagged by the claim classifier either."""
    for channel, rules in policy.channels.items():
        found = semantic.findings(rules.fallback, no_facts(channel, date.min),
                                  threshold=policy.semantic.threshold)
        if found:
            raise ConfigError(f"governance policy: the claim classifier {semantic.version} flags "
                              f"the {channel.value} fallback: {found[0].message}")


def _checker(engine: Engine | Checker, book: RuleBook) -> Checker:
    if engine == "rules":
        return RuleChecker(book)
    if engine == "guardrails":
        return _guardrails_checker(book)
    if isinstance(engine, str):
        raise ConfigError(f"unknown governance engine {engine!r}")
    return engine


def _guardrails_checker(book: RuleBook) -> Checker:
    # Imported here: guardrails takes seconds to import, and only this engine needs it.
    # Its import path (typer, click) emits third-party DeprecationWarnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from gateway.governance._validators import GuardrailsChecker

        return GuardrailsChecker(book)
