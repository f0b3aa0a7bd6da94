"""Shared test set-up: offline by construction, async tests on asyncio."""

from __future__ import annotations

import os

# Set before any test module imports litellm, sentence-transformers or guardrails.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
