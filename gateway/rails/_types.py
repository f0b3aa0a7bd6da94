"""What the input screen reports: plain data, safe to put in the audit record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScreenAction = Literal["allow", "flag", "block"]
FLAG_PREFIX = "input_rail:"
BLOCKED_FLAG = f"{FLAG_PREFIX}blocked"


@dataclass(frozen=True)
class RailFinding:
    code: str  # e.g. "instruction_override", "other_member_id"
    excerpt: str  # the text that matched (after decoding, if it was hidden), shortened
    message: str  # why it is a finding, for the audit and the console


@dataclass(frozen=True)
class ScreenResult:
    action: ScreenAction
    findings: tuple[RailFinding, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    @property
    def flags(self) -> tuple[str, ...]:
        """Turn flags for the audit and the response: `input_rail:<code>` per finding,
        then `input_rail:blocked` when the turn is blocked."""
        flags = tuple(FLAG_PREFIX + code for code in self.codes)
        return (*flags, BLOCKED_FLAG) if self.action == "block" else flags
