"""Offer markers: how the model refers to an offer without stating its terms.

The prompt lists the member's candidate offers by id; the model writes
`[[offer:OFR-123]]` and the gateway replaces the marker with the offer's
approved wording (`Offer.render()`). A marker for an id that is not among this
member's candidate offers is left in place for the gate to report, as is
anything marker-like that did not render: single brackets, braces, angle
brackets, a truncated marker, or a bare offer id of another member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.turn import MemberContext

MARKER = re.compile(r"\[\[\s*offer\s*:\s*(?P<id>[A-Za-z0-9_.-]+)\s*\]\]", re.IGNORECASE)
# Anything that looks like a marker after rendering: unknown ids, malformed markers.
LEFTOVER_MARKER = re.compile(
    r"\[\[[^\[\]\n]{0,80}\]\]|\[\[\s*offer\b[^\]\n]{0,80}"
    r"|[\[({<]{1,2}\s*offer\s*:\s*[^\s\])}>]{1,60}\s*[\])}>]{0,2}",
    re.IGNORECASE,
)
# An offer id written out without a marker ("offer OFR-88888 is yours").
BARE_OFFER_ID = re.compile(r"\bOFR-[A-Za-z0-9][A-Za-z0-9_.-]*\b")


@dataclass(frozen=True)
class Rendered:
    text: str
    offer_ids: tuple[str, ...]  # rendered, in order of first appearance


def render_markers(text: str, context: MemberContext) -> Rendered:
    """Replace each marker of a candidate offer with its approved terms."""
    ids: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        offer = context.offer(match.group("id"))
        if offer is None:
            return match.group()
        if offer.offer_id not in ids:
            ids.append(offer.offer_id)
        return offer.render()

    return Rendered(MARKER.sub(substitute, text), tuple(ids))


def offers_shown(text: str, context: MemberContext) -> tuple[str, ...]:
    """The candidate offers whose approved wording appears in `text`."""
    return tuple(o.offer_id for o in context.offers if o.render() in text)
