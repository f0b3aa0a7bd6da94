"""Fixtures: the real governance policy and gates on both engines (see support.py)."""

from __future__ import annotations

import pytest

from gateway.governance import Gate
from gateway.policy.governance import GovernancePolicy, load_governance_policy
from gateway.turn import MemberContext

from .support import POLICY_PATH, make_context


@pytest.fixture(scope="session")
def policy_and_version() -> tuple[GovernancePolicy, str]:
    return load_governance_policy(POLICY_PATH)


@pytest.fixture(scope="session")
def policy(policy_and_version: tuple[GovernancePolicy, str]) -> GovernancePolicy:
    return policy_and_version[0]


@pytest.fixture(scope="session")
def rules_gate(policy_and_version: tuple[GovernancePolicy, str]) -> Gate:
    return Gate(*policy_and_version, engine="rules")


@pytest.fixture(scope="session")
def guardrails_gate(policy_and_version: tuple[GovernancePolicy, str]) -> Gate:
    return Gate(*policy_and_version, engine="guardrails")


@pytest.fixture(params=["rules", "guardrails"])
def gate(request: pytest.FixtureRequest, rules_gate: Gate, guardrails_gate: Gate) -> Gate:
    """Both engines: every behaviour test runs through guardrails and without it."""
    return rules_gate if request.param == "rules" else guardrails_gate


@pytest.fixture
def context() -> MemberContext:
    return make_context()
