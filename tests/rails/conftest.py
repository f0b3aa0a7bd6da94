"""Fixtures: the shipped rails policy and a screen built from it (no embedder)."""

from __future__ import annotations

import pytest

from gateway.policy.input_rails import InputRailsPolicy, load_input_rails_policy
from gateway.rails import InputScreen

from .support import POLICY_PATH


@pytest.fixture(scope="session")
def rails_policy() -> InputRailsPolicy:
    return load_input_rails_policy(POLICY_PATH)[0]


@pytest.fixture(scope="session")
def screen(rails_policy: InputRailsPolicy) -> InputScreen:
    return InputScreen(rails_policy)
