"""Answers to lookup intents, rendered from the member's live data through approved templates.

The small model never writes free text: it picks an intent, and the template
`prompts/answers/<intent>.j2` says it with the member's real facts. Numbers are
formatted here, once, so every template shows them the same way. Offers appear
only as `[[offer:<id>]]` markers; the governance stage puts the approved terms
in their place, so no template can state a discount.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from gateway.context.prompts import PromptRegistry
from gateway.exceptions import ConfigError, ModelError
from gateway.smallmodel.labels import LOOKUP_INTENTS
from gateway.turn import Channel, Draft, MemberContext, Purchase, Route

TEMPLATE_FOLDER = "answers"
MAX_PURCHASES_SHOWN = 5


def offer_marker(offer_id: str) -> str:
    return f"[[offer:{offer_id}]]"


class SmallModelResponder:
    """Turns (intent, member context) into a `Draft` on the small-model route."""

    def __init__(self, prompts: PromptRegistry, model_version: str | Callable[[], str]) -> None:
        """`model_version` may be a callable: the serving version then is read per answer
        (the registry swaps versions without a restart)."""
        missing = [i for i in LOOKUP_INTENTS if not prompts.has(_template(i))]
        if missing:
            # Checked at start-up so a deleted template fails the boot, not a member's turn.
            raise ConfigError(
                f"no answer template for {', '.join(missing)} "
                f"(expected prompts/{TEMPLATE_FOLDER}/<intent>.j2)"
            )
        self._prompts = prompts
        self._version = model_version if callable(model_version) else (lambda: model_version)

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(i for i in LOOKUP_INTENTS if self._prompts.has(_template(i)))

    def answer(self, intent: str, context: MemberContext, *, channel: Channel = Channel.APP) -> Draft:
        """Render the answer for `intent`; associates get it in the third person."""
        if intent not in LOOKUP_INTENTS or not self._prompts.has(_template(intent)):
            raise ModelError(f"the small model has no answer template for intent {intent!r}")
        variables = facts(context, for_associate=channel == Channel.ASSOCIATE)
        rendered = self._prompts.render(_template(intent), variables)
        return Draft(
            text=rendered.text,
            route=Route.SMALL_MODEL,
            model=f"intent:{self._version()}",
            prompt_version=rendered.version,
        )


def facts(context: MemberContext, *, for_associate: bool = False) -> dict[str, Any]:
    """Everything a lookup template may show, already formatted for people."""
    member = context.member
    has_next = member.next_tier is not None and member.spend_to_next_tier > 0
    store = context.store
    return {
        "for_associate": for_associate,
        "points": f"{member.points:,}",
        "has_expiring": member.points_expiring > 0,
        "expiring": f"{member.points_expiring:,}",
        "expire_on": _long_date(member.points_expire_on),
        "tier": member.tier,
        "next_tier": member.next_tier,
        "to_next_tier": _money(member.spend_to_next_tier) if has_next else None,
        "purchases": [_purchase(p) for p in _most_recent(context.recent_purchases)],
        "offers": [offer_marker(o.offer_id) for o in context.offers],
        "store": {"name": store.name, "hours": store.hours} if store is not None else None,
    }


def _template(intent: str) -> str:
    return f"{TEMPLATE_FOLDER}/{intent}"


def _most_recent(purchases: tuple[Purchase, ...]) -> list[Purchase]:
    return sorted(purchases, key=lambda p: p.day, reverse=True)[:MAX_PURCHASES_SHOWN]


def _purchase(purchase: Purchase) -> dict[str, Any]:
    return {
        "day": f"{purchase.day:%b} {purchase.day.day}",
        "product": _product_name(purchase.product),
        "quantity": purchase.quantity,
    }


def _product_name(name: str) -> str:
    # Catalog names in the source data are upper case; shouting at members is off-brand.
    return name.capitalize() if name.isupper() else name


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _money(amount: float) -> str:
    return f"${amount:,.2f}"
