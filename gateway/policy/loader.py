"""Load every policy file into one validated, versioned `PolicySet`.

The version is a hash over all the files' contents: it goes into each audit
record and into cache keys, so a policy change retires what it affects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.policy.governance import GovernancePolicy
from gateway.policy.input_rails import InputRailsPolicy
from gateway.policy.offers import OfferPolicy
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.policy.routing import RoutingPolicy
from gateway.policy.yamlfile import content_version, load_model


@dataclass(frozen=True)
class PolicySet:
    program: ProgramPolicy
    margins: MarginPolicy
    routing: RoutingPolicy
    governance: GovernancePolicy
    input_rails: InputRailsPolicy
    offers: OfferPolicy
    version: str


def load_policy_set(folder: Path) -> PolicySet:
    program, program_text = load_model(folder / "program.yaml", ProgramPolicy)
    margins, margins_text = load_model(folder / "margins.yaml", MarginPolicy)
    routing, routing_text = load_model(folder / "routing.yaml", RoutingPolicy)
    governance, governance_text = load_model(folder / "governance.yaml", GovernancePolicy)
    rails, rails_text = load_model(folder / "input_rails.yaml", InputRailsPolicy)
    offers, offers_text = load_model(folder / "offers.yaml", OfferPolicy)
    version = content_version(
        program_text, margins_text, routing_text, governance_text, rails_text, offers_text
    )
    return PolicySet(program, margins, routing, governance, rails, offers, version)
