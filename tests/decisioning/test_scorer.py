"""The offer scorer: what it chooses, with which probability, and what it learns."""

from __future__ import annotations

import math

from gateway.decisioning import (
    ArbitrationPolicy,
    FeedbackEvent,
    OfferScorer,
    Outcome,
    margin_cost,
    value_net,
)
from tests.decisioning.support import MARGINS, context, offer, same_value_offers, train


def scorer(**policy: object) -> OfferScorer:
    return OfferScorer(policy=ArbitrationPolicy.model_validate(policy), margins=MARGINS, seed=7)


def test_the_chosen_offer_carries_the_probability_it_was_chosen_with() -> None:
    offers = same_value_offers(8)
    ranking = scorer(epsilon=0.2).rank(context("dec-1"), offers)
    chosen = ranking.offers[0]
    expected = 1 - 0.2 + 0.2 / 8 if not ranking.explored else 0.2 / 8
    assert math.isclose(chosen.probability, expected)
    assert chosen.explanation["probability"] == round(expected, 6)
    assert ranking.record(context("dec-1")).probability == chosen.probability
    assert math.isclose(sum(s.probability for s in ranking.offers), 1.0)


def test_offers_are_put_first_as_often_as_their_probability_says() -> None:
    offers = same_value_offers(5)
    s = scorer(epsilon=0.3)
    firsts = [s.rank(context(f"dec-{i}"), offers).offers[0] for i in range(4000)]
    greedy_share = sum(f.explanation["choice"] == "exploit" for f in firsts) / len(firsts)
    assert abs(greedy_share - (1 - 0.3 + 0.3 / 5)) < 0.03


def test_one_decision_always_draws_the_same_offer_whatever_the_order_of_the_candidates() -> None:
    offers = same_value_offers(12)
    s = scorer(epsilon=0.5)
    ids = [s.rank(context("dec-42"), offers).offers[0].offer.offer_id for _ in range(3)]
    reversed_first = s.rank(context("dec-42"), list(reversed(offers))).offers[0].offer.offer_id
    assert len(set(ids)) == 1
    assert reversed_first == ids[0]


def test_every_candidate_is_ranked_once() -> None:
    offers = same_value_offers(4)
    ranking = scorer().rank(context("dec-1"), [*offers, offers[0]])
    assert sorted(s.offer.offer_id for s in ranking.offers) == [o.offer_id for o in offers]
    rest = [s.score for s in ranking.offers[1:]]
    assert rest == sorted(rest, reverse=True)


def test_no_candidates_give_an_empty_ranking() -> None:
    ranking = scorer().rank(context("dec-1"), [])
    assert ranking.offers == ()
    assert ranking.chosen is None
    assert ranking.record(context("dec-1")).chosen_offer_id is None


def test_before_any_feedback_the_offer_that_keeps_most_margin_comes_first() -> None:
    offers = [
        offer("deep", department="GROCERY", discount=20),
        offer("shallow", department="GROCERY", discount=5),
        offer("produce", department="PRODUCE", discount=10),
    ]
    ranking = scorer(epsilon=0.0).rank(context("dec-1"), offers)
    assert [s.offer.offer_id for s in ranking.offers] == ["produce", "shallow", "deep"]
    first = ranking.offers[0].explanation
    assert first["acceptance"] == 0.05
    assert first["value_net"] == value_net(offers[2], MARGINS) == 0.30
    assert first["margin_cost"] == margin_cost(offers[2]) == 0.10
    assert first["choice"] == "exploit"
    assert {s.explanation["choice"] for s in ranking.offers[1:]} == {"not_chosen"}


def test_it_learns_to_prefer_the_offer_that_is_redeemed() -> None:
    offers = same_value_offers(6)
    s = scorer(epsilon=0.3)
    train(s, offers, lambda ctx, o: o.offer_id == "OFR-4", rounds=800)
    ranking = scorer_greedy_view(s).rank(context("after"), offers)
    assert ranking.offers[0].offer.offer_id == "OFR-4"
    accepted = {sc.offer.offer_id: sc.explanation["acceptance"] for sc in ranking.offers}
    assert float(accepted["OFR-4"]) > 0.8
    assert max(float(v) for k, v in accepted.items() if k != "OFR-4") < 0.2


def test_it_learns_which_offer_suits_which_channel() -> None:
    offers = same_value_offers(4)
    s = scorer(epsilon=0.3)
    liked = {"app": "OFR-1", "kiosk": "OFR-2"}
    channels = ("app", "kiosk")
    train(s, offers, lambda ctx, o: o.offer_id == liked[ctx.channel], rounds=1200,
          contexts=lambda i: context(f"t-{i}", channel=channels[i % 2]))  # fmt: skip
    greedy = scorer_greedy_view(s)
    for channel, offer_id in liked.items():
        assert greedy.rank(context("after", channel=channel), offers).offers[0].offer.offer_id == offer_id


def test_feedback_on_an_offer_that_was_not_put_first_is_not_learned_from() -> None:
    offers = same_value_offers(3)
    s = scorer()
    ranking = s.rank(context("dec-1"), offers)
    other = ranking.offers[1].offer.offer_id
    assert s.learn(FeedbackEvent(ranking.record(context("dec-1")), other, Outcome.REDEEMED)) is False
    assert s.updates == 0
    assert s.learn(FeedbackEvent(ranking.record(context("dec-1")), ranking.offers[0].offer.offer_id,
                                 Outcome.REDEEMED)) is True  # fmt: skip
    assert s.updates == 1


def test_a_lever_of_zero_keeps_a_category_from_being_put_first() -> None:
    offers = [offer("coffee", category="COFFEE"), offer("tea", category="TEA", discount=15)]
    s = scorer(epsilon=0.0, category_levers={"COFFEE": 0.0})
    ranking = s.rank(context("dec-1"), offers)
    assert ranking.offers[0].offer.offer_id == "tea"
    assert ranking.offers[1].explanation["context_weight"] == 0.0


def test_the_channel_weight_scales_the_score() -> None:
    offers = [offer("coffee")]
    s = scorer(channel_weights={"kiosk": 0.5})
    app = s.rank(context("a", channel="app"), offers).offers[0]
    kiosk = s.rank(context("k", channel="kiosk"), offers).offers[0]
    assert math.isclose(kiosk.score, app.score * 0.5)
    why = app.explanation
    assert math.isclose(app.score, float(why["acceptance"]) * float(why["value_net"]), rel_tol=1e-5)


def scorer_greedy_view(trained: OfferScorer) -> OfferScorer:
    """The same model without exploration, to read what it has learned."""
    return OfferScorer.restore(trained.snapshot(), policy=ArbitrationPolicy(epsilon=0.0), margins=MARGINS)
