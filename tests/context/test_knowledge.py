"""The program's terms and FAQ: chunked by heading, consistent with policy, found by meaning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.context.knowledge import KnowledgeBase, knowledge_version, load_chunks
from gateway.exceptions import ConfigError
from gateway.policy.loader import PolicySet
from tests.context.conftest import KNOWLEDGE_DIR


def test_every_document_is_cut_at_its_second_level_headings() -> None:
    chunks = load_chunks(KNOWLEDGE_DIR)
    ids = {c.chunk_id for c in chunks}
    assert {"terms#tiers", "terms#points-expiry", "offers#combining-offers", "privacy#global-privacy-control",
            "app-help#signing-in"} <= ids
    assert not any(c.chunk_id.startswith("README") for c in chunks)
    assert all(c.text and "##" not in c.text for c in chunks)


def test_the_terms_state_the_policys_tiers_and_points_rate(policies: PolicySet) -> None:
    tiers = next(c for c in load_chunks(KNOWLEDGE_DIR) if c.chunk_id == "terms#tiers").text
    for tier in policies.program.tiers:
        assert re.search(rf"{tier.name} from \${tier.min_annual_spend:,.0f}\b", tiers), tier.name
    earning = next(c for c in load_chunks(KNOWLEDGE_DIR) if c.chunk_id == "terms#earning-points").text
    rate = policies.program.points.points_per_dollar
    assert f"earn {rate:g} point{'s' if rate != 1 else ''} for every dollar" in earning
    assert f"last {policies.program.points.earning_window_weeks} weeks" in earning


def test_the_offer_rules_stated_match_the_offer_policy(policies: PolicySet) -> None:
    chunks = {c.chunk_id: c.text for c in load_chunks(KNOWLEDGE_DIR)}
    offers = policies.offers
    assert f"at least {offers.eligibility.min_days_active} days" in chunks["offers#who-can-use-an-offer"]
    assert f"at most {offers.stacking.max_offers_per_answer} offers" in chunks["offers#combining-offers"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("when do my points expire?", "terms#points-expiry"),
        ("how do I get to Gold tier?", "terms#tiers"),
        ("I returned a jacket, what happens to my points", "terms#returns"),
        ("can I use two coupons together", "offers#combining-offers"),
        ("how do I stop you using my location", "privacy#choosing-what-the-program-may-use"),
        ("I forgot my password", "app-help#signing-in"),
    ],
)
async def test_the_closest_chunk_answers_the_question(
    knowledge: KnowledgeBase, question: str, expected: str
) -> None:
    found = await knowledge.search(question)  # what the prompt gets: the top 3
    assert expected in [p.chunk.chunk_id for p in found]
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)


@pytest.mark.anyio
async def test_an_empty_question_finds_nothing(knowledge: KnowledgeBase) -> None:
    assert await knowledge.search("  ") == ()


def test_the_version_follows_the_content(tmp_path: Path, knowledge: KnowledgeBase) -> None:
    assert knowledge.version == knowledge_version(load_chunks(KNOWLEDGE_DIR))
    (tmp_path / "a.md").write_text("# A\n\n## One\nfirst text\n")
    first = knowledge_version(load_chunks(tmp_path))
    (tmp_path / "a.md").write_text("# A\n\n## One\nchanged text\n")
    assert knowledge_version(load_chunks(tmp_path)) != first


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_chunks(tmp_path / "nowhere")


def test_documents_without_sections_are_refused(tmp_path: Path) -> None:
    (tmp_path / "flat.md").write_text("# Title only\nno sections here\n")
    with pytest.raises(ConfigError, match="no `## ` sections"):
        load_chunks(tmp_path)


def test_an_oversized_section_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("## Huge\n" + "word " * 400)
    with pytest.raises(ConfigError, match="'Huge' is longer"):
        load_chunks(tmp_path)
