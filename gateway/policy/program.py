"""The loyalty program's rules as data: tiers, points and margins."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from gateway.policy.yamlfile import StrictModel


class TierRule(StrictModel):
    name: str = Field(min_length=1)
    min_annual_spend: float = Field(ge=0)
    max_discount_pct: int = Field(ge=0, le=100)


class PointsRule(StrictModel):
    points_per_dollar: float = Field(gt=0)
    earning_window_weeks: int = Field(gt=0)
    expiring_window_weeks: int = Field(gt=0)
    expiry_days_ahead: int = Field(gt=0)


# What a store notification may show. Points balances, spend, contact details, card
# numbers and age or income bands are not in this list on purpose: the schema refuses them.
ClientelingFact = Literal["tier", "interests", "suggested_item", "offer"]


class ClientelingRule(StrictModel):
    """Store notifications for members of the top tiers (`gateway.clienteling`)."""

    top_tiers: tuple[str, ...] = Field(min_length=1)
    max_summary_chars: int = Field(default=280, ge=40, le=700)
    facts: tuple[ClientelingFact, ...] = Field(min_length=1)
    interests: int = Field(default=3, ge=1, le=3)


class ProgramPolicy(StrictModel):
    """Tiers are listed from lowest to highest; a member's tier is the highest they reach."""

    program_name: str
    tiers: tuple[TierRule, ...] = Field(min_length=1)
    points: PointsRule
    clienteling: ClientelingRule | None = None  # None: no store notifications

    @model_validator(mode="after")
    def _tiers_ascend(self) -> ProgramPolicy:
        spends = [t.min_annual_spend for t in self.tiers]
        if spends != sorted(spends) or len(set(spends)) != len(spends):
            raise ValueError("tiers must be listed with strictly rising min_annual_spend")
        if spends[0] != 0:
            raise ValueError("the first tier must start at min_annual_spend 0")
        top = self.clienteling.top_tiers if self.clienteling else ()
        if unknown := sorted(set(top) - {t.name for t in self.tiers}):
            raise ValueError(f"clienteling.top_tiers names tiers the program lacks: {', '.join(unknown)}")
        return self

    def tier_for(self, annual_spend: float) -> TierRule:
        eligible = [t for t in self.tiers if annual_spend >= t.min_annual_spend]
        return eligible[-1]

    def next_tier(self, tier_name: str) -> TierRule | None:
        names = [t.name for t in self.tiers]
        index = names.index(tier_name)
        return self.tiers[index + 1] if index + 1 < len(self.tiers) else None

    def tier(self, name: str) -> TierRule:
        for t in self.tiers:
            if t.name == name:
                return t
        raise KeyError(name)

    def rank(self, tier_name: str) -> int:
        return [t.name for t in self.tiers].index(tier_name)


class MarginPolicy(StrictModel):
    """Synthetic gross margins per department (the data set has none; see margins.yaml)."""

    assumption: str
    min_margin_after_discount_pct: int = Field(ge=0, le=100)
    default_gross_margin_pct: int = Field(ge=0, le=100)
    departments: dict[str, int]

    def max_discount_pct(self, department: str) -> int:
        gross = self.departments.get(department, self.default_gross_margin_pct)
        return max(0, gross - self.min_margin_after_discount_pct)
