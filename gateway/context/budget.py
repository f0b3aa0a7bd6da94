"""Fitting a turn's facts to a token budget, least useful dropped first.

Usefulness is a fact's `priority` (higher stays longer):

    PINNED (100)      identity, tier, points, store, local time, approved offers: never dropped
    knowledge  70-61  the program's terms and FAQ, most relevant chunk first
    moments       60  what the member just did (store entered, items bought)
    weather       55
    complements 50-41 best match first
    promotions  40-31 the member's own categories first, then displays before mailers
    purchases   30-21 newest first, so the oldest purchase is the first to go

Facts are dropped one at a time from the lowest priority (the later one first on
equal priority) until the rest fits; pinned facts stay even over budget. Tokens are
counted with `litellm.token_counter`, which works offline with its bundled tokenizers
(LITELLM_LOCAL_MODEL_COST_MAP=True): the hosted model's tokenizer where litellm knows
it, else its default (tiktoken cl100k); about 30 µs a fact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gateway.turn import ContextFact

PINNED = 100

TokenCounter = Callable[[str], int]


def litellm_counter(model: str) -> TokenCounter:
    """Tokens of `text` for `model` (litellm's default tokenizer when it does not know it)."""
    import litellm  # heavy (about 4 s); the generation stage imports it anyway

    name = model or "gpt-4o-mini"

    def count(text: str) -> int:
        return int(litellm.token_counter(model=name, text=text))

    return count


@dataclass(frozen=True)
class Fitted:
    used: tuple[ContextFact, ...]  # in their original order
    dropped: tuple[ContextFact, ...]  # least useful first

    @property
    def tokens(self) -> int:
        return sum(f.tokens for f in self.used)


def counted(facts: Sequence[ContextFact], count: TokenCounter) -> tuple[ContextFact, ...]:
    return tuple(replace(f, tokens=count(f.text)) for f in facts)


def fit(facts: Sequence[ContextFact], budget: int) -> Fitted:
    """Drop the least useful facts until the total of `tokens` is within `budget`."""
    total = sum(f.tokens for f in facts)
    # Least useful first: lowest priority, and on a tie the one listed later.
    order = sorted(range(len(facts)), key=lambda i: (facts[i].priority, -i))
    dropped: list[int] = []
    for i in order:
        if total <= budget or facts[i].priority >= PINNED:
            break
        dropped.append(i)
        total -= facts[i].tokens
    gone = set(dropped)
    return Fitted(
        used=tuple(f for i, f in enumerate(facts) if i not in gone),
        dropped=tuple(facts[i] for i in dropped),
    )
