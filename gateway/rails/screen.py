"""The input screen: is this conversation an attempt to turn the assistant against its rules?

    recent messages ──► each message, every view (as written, decoded, de-disguised)
                          ──► rules ──► findings (a hidden one also `encoded_instructions`)
                    ──► user messages joined ──► findings no single message shows: `multi_turn`
                    ──► combinations (authority claim + benefit demand ──► policy_tampering)
                    ──► optional: similarity to known attacks (embedder)
    action = the strongest action the policy gives any finding: block > flag > allow

Pure: no I/O, no clock, no state between calls. Which codes block and which
only flag is policy data (`policies/input_rails.yaml`), as is every pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from gateway.policy.input_rails import InputRailsPolicy, Role
from gateway.rails._rules import RuleBook
from gateway.rails._similarity import ExemplarIndex
from gateway.rails._text import AS_WRITTEN, Decoder, has_invisible, normalise
from gateway.rails._types import RailFinding, ScreenAction, ScreenResult
from gateway.turn import ChatMessage

if TYPE_CHECKING:  # the embedder's module is only needed for the type
    from gateway.smallmodel.embedder import Embedder

_EDGE_PUNCTUATION = " \t\n'\"`.,:;!?-"
# A quoted piece: the quote opens after a space or colon, so "I'm" is not a quote.
_QUOTED = re.compile(r"""(?:^|(?<=[\s:(]))(['"])(.+?)\1(?=$|[\s.,;:!?)])""")


class _Found:
    """Findings by code, first one kept: the audit needs each cause once, not every match."""

    def __init__(self, max_excerpt: int) -> None:
        self._by_code: dict[str, RailFinding] = {}
        self._max_excerpt = max_excerpt

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def add(self, code: str, excerpt: str, message: str) -> None:
        if code not in self._by_code:
            short = " ".join(excerpt.split())[: self._max_excerpt]
            self._by_code[code] = RailFinding(code, short, message)

    @property
    def codes(self) -> set[str]:
        return set(self._by_code)

    def all(self) -> tuple[RailFinding, ...]:
        return tuple(self._by_code.values())


class InputScreen:
    def __init__(self, policy: InputRailsPolicy, embedder: Embedder | None = None) -> None:
        self._policy = policy
        self._rules = RuleBook(policy)
        self._decoder = Decoder(policy.decoding)
        self._similar = ExemplarIndex(embedder, policy.similarity) if embedder is not None else None

    def screen(self, messages: tuple[ChatMessage, ...], *, member_id: str) -> ScreenResult:
        """Screen the recent conversation of `member_id` (ids other than theirs are findings)."""
        users, window = self._window(messages)
        found = _Found(self._policy.max_excerpt_chars)
        flagged_messages = 0
        for message in window:
            codes = self._scan_message(message, member_id, found)
            if message.role == "user" and any(self._policy.action_of(c) == "flag" for c in codes):
                flagged_messages += 1
        if len(users) > 1:
            self._scan_across(users, member_id, found)
        if flagged_messages >= self._policy.multi_turn.min_flagged_messages:
            found.add("multi_turn", users[-1].content,
                      f"{flagged_messages} of the last {len(users)} messages were flagged")
        self._combine(found)
        if self._similar is not None and users and self._action(found.codes) != "block":
            self._compare(users[-1].content, found)
        return ScreenResult(self._action(found.codes), found.all())

    def _window(self, messages: tuple[ChatMessage, ...]) -> tuple[list[ChatMessage], list[ChatMessage]]:
        """The last `window` user messages, and every non-system message from the first of them
        on: assistant turns are screened too, because a client can forge them."""
        positions = [i for i, m in enumerate(messages) if m.role == "user"]
        positions = positions[-self._policy.multi_turn.window :]
        start = positions[0] if positions else len(messages)
        return [messages[i] for i in positions], [m for m in messages[start:] if m.role != "system"]

    def _scan_message(self, message: ChatMessage, member_id: str, found: _Found) -> set[str]:
        """Runs the rules over every view of one message; returns the codes it raised."""
        text = normalise(message.content)
        role: Role = "assistant" if message.role == "assistant" else "user"
        raised: set[str] = set()
        if has_invisible(message.content) or self._decoder.mixes_scripts(text):
            found.add("obfuscation", text, "invisible characters or letters from mixed scripts")
            raised.add("obfuscation")
        plain: set[str] = set()
        for view in self._decoder.views(text):
            if view.decoded:
                found.add("encoded_payload", view.text, f"the message hides readable text ({view.how})")
                raised.add("encoded_payload")
            for hit in self._rules.hits(view.text, role, member_id):
                if view.how == AS_WRITTEN:
                    plain.add(hit.code)
                    found.add(hit.code, hit.excerpt, f"{hit.code} in a {message.role} message")
                elif hit.code not in plain:
                    found.add(hit.code, hit.excerpt, f"{hit.code} hidden by {view.how}")
                    found.add("encoded_instructions", hit.excerpt, f"{hit.code} found after {view.how}")
                    raised.add("encoded_instructions")
                raised.add(hit.code)
        return raised

    def _scan_across(self, users: Sequence[ChatMessage], member_id: str, found: _Found) -> None:
        """An attack split over messages ("ignore all" ... "previous instructions")."""
        alone = found.codes
        texts = [normalise(m.content) for m in users]
        joined = " ".join(t.strip(_EDGE_PUNCTUATION) for t in texts)
        quoted = " ".join(q for t in texts for q in _quoted(t))  # payload split into quoted pieces
        for text in (joined, quoted):
            for view in self._decoder.views(text):
                for hit in self._rules.hits(view.text, "user", member_id):
                    if hit.code not in alone:
                        found.add(hit.code, hit.excerpt, f"{hit.code} spread over {len(users)} messages")
                        found.add("multi_turn", hit.excerpt,
                                  f"{hit.code} only shows across {len(users)} messages")

    def _combine(self, found: _Found) -> None:
        for combo in self._policy.combinations:
            if combo.when <= found.codes and combo.then not in found:
                causes = " + ".join(sorted(combo.when))
                found.add(combo.then, causes, f"{causes} together")

    def _compare(self, text: str, found: _Found) -> None:
        assert self._similar is not None
        nearest = self._similar.nearest(normalise(text))
        if nearest is not None:
            found.add("similar_to_attack", text,
                      f"close to the known attack {nearest.exemplar!r} ({nearest.score:.2f})")

    def _action(self, codes: set[str]) -> ScreenAction:
        actions = {self._policy.action_of(c) for c in codes}
        return "block" if "block" in actions else "flag" if actions else "allow"


def _quoted(text: str) -> Iterator[str]:
    return (m.group(2) for m in _QUOTED.finditer(text))
