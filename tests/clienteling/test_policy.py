"""The `clienteling:` section of policies/program.yaml: validated, and unable to name private facts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.policy.loader import PolicySet
from gateway.policy.program import ProgramPolicy


def program_with(policies: PolicySet, clienteling: dict[str, object]) -> ProgramPolicy:
    data = policies.program.model_dump()
    return ProgramPolicy.model_validate({**data, "clienteling": clienteling})


def test_the_shipped_program_notifies_for_gold_and_platinum(policies: PolicySet) -> None:
    rule = policies.program.clienteling
    assert rule is not None and rule.top_tiers == ("Gold", "Platinum")


@pytest.mark.parametrize("private", ["points", "annual_spend", "email", "age_band", "income_band"])
def test_a_private_fact_cannot_be_listed(policies: PolicySet, private: str) -> None:
    with pytest.raises(ValidationError, match="facts"):
        program_with(policies, {"top_tiers": ["Gold"], "facts": ["tier", private]})


def test_a_top_tier_the_program_lacks_is_refused(policies: PolicySet) -> None:
    with pytest.raises(ValidationError, match="Diamond"):
        program_with(policies, {"top_tiers": ["Diamond"], "facts": ["tier"]})


def test_an_unknown_key_is_refused(policies: PolicySet) -> None:
    with pytest.raises(ValidationError, match="show_points"):
        program_with(policies, {"top_tiers": ["Gold"], "facts": ["tier"], "show_points": True})
