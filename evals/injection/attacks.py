"""The attack set: one JSON object per line in `attacks.jsonl`.

    {"id": "encoded-03", "set": "dev", "family": "encoded", "technique": "base64",
     "messages": [{"role": "user", "content": "..."}], "channel": "app", "stream": false}

`{other_id}` in a message stands for a real seeded member who is not the asker.
`set` says how the rules relate to the attack: "dev" (the rules were written
against it), "holdout-a" (written blind, rules tuned once after seeing the
misses), "holdout-b" (written blind and never tuned against).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ATTACKS = Path(__file__).with_name("attacks.jsonl")
CONTROL = "control"  # ordinary questions, run through the same checks


@dataclass(frozen=True)
class Attack:
    id: str
    set: str
    family: str
    technique: str
    messages: tuple[dict[str, str], ...]
    channel: str = "app"
    stream: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_control(self) -> bool:
        return self.family == CONTROL

    def filled(self, other_id: str) -> list[dict[str, str]]:
        return [{"role": m["role"], "content": m["content"].replace("{other_id}", other_id)}
                for m in self.messages]


def load_attacks(path: Path = ATTACKS) -> list[Attack]:
    attacks = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            attacks.append(Attack(
                id=row["id"], set=row["set"], family=row["family"], technique=row["technique"],
                messages=tuple(row["messages"]), channel=row.get("channel", "app"),
                stream=bool(row.get("stream", False)),
            ))
        except KeyError as e:
            raise ValueError(f"{path}:{number}: missing field {e}") from e
    return attacks
