"""What a turn costs on each route, priced against sending everything to a hosted LLM.

Hosted-LLM cost: litellm's bundled price map (LITELLM_LOCAL_MODEL_COST_MAP=True,
no network) for a named reference model. Prompt tokens are counted with
litellm's tokenizer on the prompt the gateway really sends: the system template
`prompts/system/loyalty_assistant.j2` rendered for a representative member
(Gold, five recent purchases, three offers, a store), then the member's question.
Completion tokens are an estimate, `COMPLETION_TOKENS`: the template asks for
at most four short sentences.

Small model and cache: no tokens; their cost is the CPU time measured for
embedding + route model + intent head, priced at `CPU_USD_PER_VCPU_HOUR`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from gateway.context.prompts import PromptRegistry
from gateway.context.stitcher import SYSTEM_TEMPLATE, system_prompt_variables
from gateway.generation.llm import import_litellm
from gateway.settings import PROJECT_ROOT
from gateway.turn import Member, MemberContext, Offer, Purchase, RequestMetadata, StoreInfo

REFERENCE_MODEL = "gpt-4o-mini"
COMPLETION_TOKENS = 80  # four short sentences
CPU_USD_PER_VCPU_HOUR = 0.05  # a general-purpose cloud vCPU, on demand (assumption)


@dataclass(frozen=True)
class Prices:
    model: str
    input_per_token: float
    output_per_token: float
    system_prompt_tokens: int

    def llm_call(self, query: str) -> tuple[int, float]:
        """Prompt tokens and USD for one hosted-LLM answer to `query`."""
        litellm = import_litellm()
        tokens = self.system_prompt_tokens + int(
            litellm.token_counter(model=self.model, messages=[{"role": "user", "content": query}])
        )
        return tokens, tokens * self.input_per_token + COMPLETION_TOKENS * self.output_per_token


def reference_prices(model: str = REFERENCE_MODEL) -> Prices:
    litellm = import_litellm()
    entry = litellm.model_cost[model]
    system = representative_system_prompt()
    tokens = int(litellm.token_counter(model=model, messages=[{"role": "system", "content": system}]))
    return Prices(model, float(entry["input_cost_per_token"]), float(entry["output_cost_per_token"]), tokens)


def cpu_usd(seconds: float) -> float:
    return seconds / 3600 * CPU_USD_PER_VCPU_HOUR


def representative_system_prompt() -> str:
    """The system prompt as the gateway renders it for a typical member on the app."""
    day = date(2026, 11, 20)
    member = Member("M-1", "Gold", 1840, 120, date(2026, 12, 31), 2450.0, "Platinum", 550.0, "364")
    purchases = tuple(
        Purchase(day, product, department, category, 1, amount, "364")
        for product, department, category, amount in (
            ("Whole milk 1 gal", "GROCERY", "FLUID MILK PRODUCTS", 3.49),
            ("Sourdough loaf", "GROCERY", "BREAD", 4.29),
            ("Bananas", "PRODUCE", "TROPICAL FRUIT", 1.99),
            ("Ground coffee 12 oz", "GROCERY", "COFFEE", 8.99),
            ("Cheddar block", "GROCERY", "CHEESE", 5.49),
        )
    )
    offers = tuple(
        Offer(f"OFR-{n}", title, "GROCERY", category, pct, "Silver", date(2026, 12, 15))
        for n, (title, category, pct) in enumerate(
            (("Coffee lovers", "COFFEE", 15), ("Fresh bakery", "BREAD", 10), ("Cheese board", "CHEESE", 20))
        )
    )
    context = MemberContext(
        member, purchases, offers, StoreInfo("364", "Main Street", "07:00-22:00"),
        RequestMetadata(store_id="364"), datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
    )
    registry = PromptRegistry(PROJECT_ROOT / "prompts")
    return registry.render(SYSTEM_TEMPLATE, system_prompt_variables(context, "app")).text
