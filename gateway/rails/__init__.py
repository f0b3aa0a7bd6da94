"""Input rails: screen a conversation for attacks before any model sees it.

    InputScreen(policy, embedder=None).screen(messages, member_id=...) -> ScreenResult
    ScreenResult.action: "allow" | "flag" | "block";  .findings: RailFinding(code, excerpt, message)
    ScreenResult.flags: ("input_rail:<code>", ..., "input_rail:blocked")
    leaks_system_prompt(answer, system_prompt) -> bool   (the output-side check)

A blocked turn is answered with the `REFUSAL_TEMPLATE` prompt instead of a model.
The policy (patterns, decoders, thresholds, block or flag per code) is
`policies/input_rails.yaml`, loaded by `gateway.policy.input_rails`.
"""

from gateway.rails._types import BLOCKED_FLAG, FLAG_PREFIX, RailFinding, ScreenAction, ScreenResult
from gateway.rails.leak import leaks_system_prompt, rule_lines
from gateway.rails.screen import InputScreen

REFUSAL_TEMPLATE = "fallback/refusal"

__all__ = [
    "BLOCKED_FLAG",
    "FLAG_PREFIX",
    "REFUSAL_TEMPLATE",
    "InputScreen",
    "RailFinding",
    "ScreenAction",
    "ScreenResult",
    "leaks_system_prompt",
    "rule_lines",
]
