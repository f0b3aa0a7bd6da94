"""The gate's checks as pure functions of (text, facts), compiled once per channel.

Five checks, each also wrapped as a guardrails validator (`_validators.py`):

    grounded_offers  unknown offer markers and ids; ungrounded discount, price,
                     points, tier and expiry claims; discount codes
    pii              e-mail, phone and card numbers the member did not type
    brand_voice      banned wording, competitors, tone, claims to be human,
                     length, AI disclosure
    advice           medical, legal and financial advice
    links            links and images to hosts outside the allow-list

`ChannelRules.check_all` runs them over one normalisation of the text; the
named methods normalise for themselves so that each can run on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from gateway.governance._advice import AdviceCheck
from gateway.governance._brand import BrandCheck
from gateway.governance._claims import ClaimDetector
from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._grounding import ungrounded_claims
from gateway.governance._links import LinkCheck
from gateway.governance._normalise import Normalised, normalise
from gateway.governance._pii import PiiCheck
from gateway.governance.markers import BARE_OFFER_ID, LEFTOVER_MARKER
from gateway.policy.governance import GovernancePolicy
from gateway.turn import Channel

CheckName = Literal["grounded_offers", "pii", "brand_voice", "advice", "links"]
CHECKS: tuple[CheckName, ...] = ("grounded_offers", "pii", "brand_voice", "advice", "links")
Check = Callable[[str, TurnFacts], list[Finding]]


class _Shared:
    """The parts of the checks that do not depend on the channel, built once."""

    def __init__(self, policy: GovernancePolicy) -> None:
        self.detector = ClaimDetector(policy.claims)
        self.pii = PiiCheck(policy.pii, policy.links.top_level_domains)
        self.advice = AdviceCheck(policy.advice)
        self.links = LinkCheck(policy.links)


class ChannelRules:
    def __init__(self, policy: GovernancePolicy, channel: Channel, shared: _Shared) -> None:
        self.channel = channel
        self._shared = shared
        self._brand = BrandCheck(policy.brand, policy.channels[channel])

    def check(self, name: CheckName) -> Check:
        checks: dict[CheckName, Check] = {
            "grounded_offers": self.grounded_offers,
            "pii": self.pii,
            "brand_voice": self.brand_voice,
            "advice": self.advice,
            "links": self.links,
        }
        return checks[name]

    def check_all(self, text: str, facts: TurnFacts) -> list[Finding]:
        norm = normalise(text)
        return [
            *self._grounded_offers(norm, facts),
            *self._shared.pii.findings(norm, facts),
            *self._brand.findings(norm, text, facts),
            *self._shared.advice.findings(norm),
            *self._shared.links.findings(norm, text),
        ]

    def grounded_offers(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._grounded_offers(normalise(text), facts)

    def pii(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._shared.pii.findings(normalise(text), facts)

    def brand_voice(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._brand.findings(normalise(text), text, facts)

    def advice(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._shared.advice.findings(normalise(text))

    def links(self, text: str, facts: TurnFacts) -> list[Finding]:
        return self._shared.links.findings(normalise(text), text)

    def _grounded_offers(self, norm: Normalised, facts: TurnFacts) -> list[Finding]:
        markers = []
        for m in LEFTOVER_MARKER.finditer(norm.text):
            start, end = norm.original_span(*m.span())
            markers.append(Finding("unknown_offer", start, end, f"'{m.group()}' is not one "
                                   "of this member's candidate offers"))
        for m in BARE_OFFER_ID.finditer(norm.text):
            if m.group() not in facts.offer_ids:
                start, end = norm.original_span(*m.span())
                markers.append(Finding("unknown_offer", start, end, f"'{m.group()}' is not "
                                       "one of this member's candidate offers"))
        return markers + ungrounded_claims(self._shared.detector, norm, facts)


class RuleBook:
    """Every channel's checks, built once from the policy."""

    def __init__(self, policy: GovernancePolicy) -> None:
        shared = _Shared(policy)
        self._channels = {c: ChannelRules(policy, c, shared) for c in Channel}

    def for_channel(self, channel: Channel) -> ChannelRules:
        return self._channels[channel]
