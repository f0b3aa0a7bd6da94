"""The gate's checks as pure functions of (text, facts), compiled once per channel.

Four checks, each also wrapped as a guardrails validator (`_validators.py`):

    grounded_offers  unknown offer markers; ungrounded discount, price, points,
                     tier and expiry claims; discount codes
    pii              e-mail, phone and card numbers the member did not type
    brand_voice      banned wording, competitors, length, AI disclosure
    links            links to hosts outside the allow-list

`ChannelRules.check_all` runs them over one normalisation of the text; the
named methods normalise for themselves so that each can run on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from gateway.governance._brand import BrandCheck, LinkCheck
from gateway.governance._claims import ClaimDetector
from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._grounding import ungrounded_claims
from gateway.governance._normalise import Normalised, normalise
from gateway.governance._pii import pii_findings
from gateway.governance.markers import LEFTOVER_MARKER
from gateway.policy.governance import GovernancePolicy
from gateway.turn import Channel

CheckName = Literal["grounded_offers", "pii", "brand_voice", "links"]
CHECKS: tuple[CheckName, ...] = ("grounded_offers", "pii", "brand_voice", "links")
Check = Callable[[str, TurnFacts], list[Finding]]


class ChannelRules:
    def __init__(self, policy: GovernancePolicy, channel: Channel, detector: ClaimDetector):
        self.channel = channel
        self._policy = policy
        self._detector = detector
        self._brand = BrandCheck(policy.brand, policy.channels[channel])
        self._links = LinkCheck(policy.links)

    def check(self, name: CheckName) -> Check:
        checks: dict[CheckName, Check] = {
            "grounded_offers": self.grounded_offers,
            "pii": self.pii,
            "brand_voice": self.brand_voice,
            "links": self.links,
        }
        return checks[name]

    def check_all(self, text: str, facts: TurnFacts) -> list[Finding]:
        norm = normalise(text)
        return [
            *self._grounded_offers(norm, facts),
            *pii_findings(norm, facts, self._policy.pii),
            *self._brand.findings(norm, text),
            *self._links.findings(norm),
        ]

    def grounded_offers(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._grounded_offers(normalise(text), facts)

    def pii(self, text: str, facts: TurnFacts) -> list[Finding]:
        return pii_findings(normalise(text), facts, self._policy.pii)

    def brand_voice(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._brand.findings(normalise(text), text)

    def links(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._links.findings(normalise(text))

    def _grounded_offers(self, norm: Normalised, facts: TurnFacts) -> list[Finding]:
        markers = []
        for m in LEFTOVER_MARKER.finditer(norm.text):
            start, end = norm.original_span(*m.span())
            markers.append(Finding("unknown_offer", start, end, f"'{m.group()}' is not one "
                                   "of this member's candidate offers"))
        return markers + ungrounded_claims(self._detector, norm, facts)


class RuleBook:
    """Every channel's checks, built once from the policy."""

    def __init__(self, policy: GovernancePolicy) -> None:
        detector = ClaimDetector(policy.claims)
        self._channels = {c: ChannelRules(policy, c, detector) for c in Channel}

    def for_channel(self, channel: Channel) -> ChannelRules:
        return self._channels[channel]
