"""The intents the brand's small model knows, and which of them it may answer itself.

`open` is the catch-all: anything that is not a lookup of the member's own live
data goes to the hosted LLM (or its governed fallback), never to a template.
"""

from __future__ import annotations

from typing import Final

OPEN: Final = "open"

#: Questions answered from live member data through `prompts/answers/<intent>.j2`.
LOOKUP_INTENTS: Final = (
    "points_balance",
    "tier_status",
    "my_offers",
    "last_purchases",
    "store_hours",
    "points_expiry",
)

INTENTS: Final = (*LOOKUP_INTENTS, OPEN)

#: The channels a labelled example may come from (compliance never chats).
EXAMPLE_CHANNELS: Final = ("app", "kiosk", "associate")


def is_lookup(intent: str) -> bool:
    return intent in LOOKUP_INTENTS
