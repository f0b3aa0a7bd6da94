"""A synthetic loyalty program whose members' tastes drift, with a known redemption probability.

Members have a hidden preference for each category that wanders from day to day (a
mean-reverting random walk), and every category has a seasonal swing that no feature
shows. What a scorer can see is a stale picture: the member's category shares,
re-measured every `affinity_refresh_days` from the preferences of that day, plus
tier, recency, frequency, channel and hour. The true chance of redemption is

    sigmoid(base + tier + recency/frequency + channel + taste·pref + season
            + moment[daypart, category] + channel_fit[channel, category] + elasticity·discount)

The moment and channel-fit terms (drawn per seed) are visible through the context, so
a model can learn them; the season and the fresh preferences it can only track.

Offers are real department margins (`policies/margins.yaml`) and discounts within the
program's tier limits and margin floor (`policies/program.yaml`); a round's
candidates are a random subset of the offers the member's tier may get, as the
eligibility stage would leave them. Everything is drawn from one seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from gateway.decisioning import ScoringContext, value_net
from gateway.decisioning.features import daypart
from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.turn import Offer

CATEGORIES = (
    ("PRODUCE", "BERRIES"), ("PRODUCE", "SALAD MIX"), ("MEAT", "BEEF"), ("DELI", "CHEESES"),
    ("PASTRY", "BREAD"), ("FROZEN GROCERY", "FROZEN PIZZA"), ("GROCERY", "COFFEE"), ("GROCERY", "CEREAL"),
    ("DRUG GM", "VITAMINS"), ("COSMETICS", "SKIN CARE"), ("SEAFOOD", "SALMON"), ("FLORAL", "BOUQUETS"),
)  # fmt: skip
DISCOUNTS = (5, 10, 15, 20, 25)
TIERS = ("Bronze", "Silver", "Gold", "Platinum")
TIER_SHARE = (0.44, 0.30, 0.18, 0.08)  # the seeded demo brand's split
TIER_LIFT = (0.0, 0.15, 0.3, 0.45)
CHANNELS = ("app", "kiosk", "associate")
CHANNEL_SHARE = (0.6, 0.25, 0.15)
CHANNEL_LIFT = (0.0, -0.2, 0.4)  # an associate's recommendation is taken up more often
DAYPARTS = ("night", "morning", "afternoon", "evening")


@dataclass(frozen=True)
class WorldConfig:
    members: int = 400
    days: int = 112
    rounds_per_day: int = 150
    min_candidates: int = 10
    max_candidates: int = 20
    base_logit: float = -3.2
    taste: float = 0.9
    elasticity: float = 7.0  # logit per unit of discount share: 25% off adds 1.75
    season_amplitude: float = 1.0
    season_period_days: float = 56.0
    context_effect: float = 0.6  # spread of the daypart × category and channel × category terms
    drift_keep: float = 0.99  # daily autocorrelation of a member's preference
    affinity_refresh_days: int = 14
    click_rate: float = 0.08

    @property
    def rounds(self) -> int:
        return self.days * self.rounds_per_day


@dataclass(frozen=True)
class Round:
    t: int
    day: int
    member: int
    context: ScoringContext
    candidates: NDArray[np.int64]  # offer indices
    acceptance: NDArray[np.float64]  # true redemption probability per candidate
    u_redeem: float  # shared uniforms: every policy meets the same luck
    u_click: float


class World:
    def __init__(
        self, config: WorldConfig, *, seed: int, margins: MarginPolicy, program: ProgramPolicy
    ) -> None:
        self.config = config
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self.offers = _catalog(margins)
        self.values = np.array([value_net(o, margins) for o in self.offers])
        self._offer_category = np.array([CATEGORIES.index((o.department, o.category)) for o in self.offers])
        self._offer_discount = np.array([o.discount_pct / 100 for o in self.offers])
        self._build_members(program)

    def _build_members(self, program: ProgramPolicy) -> None:
        n, k, rng = self.config.members, len(CATEGORIES), self._rng
        self._tier = rng.choice(len(TIERS), size=n, p=TIER_SHARE)
        self._max_discount = np.array([program.tier(TIERS[t]).max_discount_pct for t in self._tier])
        self._frequency = rng.poisson(rng.choice([2.0, 6.0, 15.0], size=n))
        self._recency = np.minimum(rng.exponential(20.0, size=n).astype(int), 200)
        self._habit = np.where(self._frequency > 12, 0.35, 0.0) - np.where(self._recency > 90, 0.5, 0.0)
        self._pref = rng.normal(0.0, 1.0, size=(n, k))
        self._seen_pref = self._pref.copy()
        self._phase = rng.uniform(0, 2 * math.pi, size=k)
        self._moment = rng.normal(0.0, self.config.context_effect, size=(len(DAYPARTS), k))
        self._channel_fit = rng.normal(0.0, self.config.context_effect, size=(len(CHANNELS), k))

    def advance_to(self, day: int) -> None:
        """Let a day pass: preferences wander; every few weeks the visible shares catch up."""
        keep = self.config.drift_keep
        noise = self._rng.normal(0.0, math.sqrt(1 - keep**2), size=self._pref.shape)
        self._pref = keep * self._pref + noise
        if day % self.config.affinity_refresh_days == 0:
            self._seen_pref = self._pref.copy()

    def season(self, day: int) -> NDArray[np.float64]:
        angle = 2 * math.pi * day / self.config.season_period_days + self._phase
        return np.asarray(self.config.season_amplitude * np.sin(angle), dtype=np.float64)

    def draw_round(self, t: int) -> Round:
        cfg, rng = self.config, self._rng
        day = t // cfg.rounds_per_day
        m = int(rng.integers(cfg.members))
        allowed = np.flatnonzero(self._offer_discount * 100 <= self._max_discount[m])
        size = min(len(allowed), int(rng.integers(cfg.min_candidates, cfg.max_candidates + 1)))
        candidates = np.sort(rng.choice(allowed, size=size, replace=False))
        channel = int(rng.choice(len(CHANNELS), p=CHANNEL_SHARE))
        hour = int(rng.integers(7, 23))
        context = self._context(t, m, channel, hour)
        acceptance = self._acceptance(m, (channel, DAYPARTS.index(daypart(hour))), day, candidates)
        return Round(t, day, m, context, candidates, acceptance, float(rng.random()), float(rng.random()))

    def _context(self, t: int, m: int, channel: int, hour: int) -> ScoringContext:
        shares = np.exp(1.5 * self._seen_pref[m])
        shares /= shares.sum()
        return ScoringContext(
            decision_id=f"sim-{self.seed}-{t}",
            member_id=f"M{m}",
            tier=TIERS[self._tier[m]],
            channel=CHANNELS[channel],
            hour=hour,
            days_since_last_purchase=int(self._recency[m]),
            purchases_last_90_days=int(self._frequency[m]),
            category_affinity={CATEGORIES[c][1]: float(s) for c, s in enumerate(shares)},
        )

    def _acceptance(
        self, m: int, moment: tuple[int, int], day: int, candidates: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        cfg, (channel, part) = self.config, moment
        cats = self._offer_category[candidates]
        logit = (
            cfg.base_logit + TIER_LIFT[self._tier[m]] + self._habit[m] + CHANNEL_LIFT[channel]
            + cfg.taste * self._pref[m, cats] + self.season(day)[cats]
            + self._moment[part, cats] + self._channel_fit[channel, cats]
            + cfg.elasticity * self._offer_discount[candidates]
        )  # fmt: skip
        return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)


def _catalog(margins: MarginPolicy) -> list[Offer]:
    """Every category at every discount its department's margin floor allows."""
    offers = []
    for department, category in CATEGORIES:
        for discount in DISCOUNTS:
            if discount <= margins.max_discount_pct(department):
                offers.append(
                    Offer(
                        offer_id=f"SIM-{category.replace(' ', '')}-{discount:02d}",
                        title=f"{discount}% off {category.lower()}",
                        department=department,
                        category=category,
                        discount_pct=discount,
                        min_tier="Bronze",
                        valid_until=date(2099, 12, 31),
                    )
                )
    return offers
