"""Brand voice and links: banned wording, competitors, length, AI disclosure, link hosts."""

from __future__ import annotations

import re

from gateway.governance._facts import Finding
from gateway.governance._normalise import Normalised, phrase_pattern
from gateway.policy.governance import BrandVoice, ChannelRules, LinkRules, ViolationCode


class BrandCheck:
    def __init__(self, brand: BrandVoice, channel: ChannelRules) -> None:
        self._banned = re.compile(phrase_pattern(brand.banned_phrases), re.IGNORECASE)
        exact = tuple(c.name for c in brand.competitors if c.match_case)
        loose = tuple(c.name for c in brand.competitors if not c.match_case)
        self._competitor_exact = re.compile(_exact_pattern(exact))
        self._competitor = re.compile(phrase_pattern(loose), re.IGNORECASE)
        self._disclosures = tuple(p.lower() for p in brand.disclosure.phrases)
        self._channel = channel

    def findings(self, norm: Normalised, original: str) -> list[Finding]:
        found: list[Finding] = []
        for m in self._banned.finditer(norm.text):
            found.append(_finding(norm, m, "banned_phrase", "is off-brand wording"))
        for pattern in (self._competitor, self._competitor_exact):
            for m in pattern.finditer(norm.text):
                found.append(_finding(norm, m, "competitor", "names a competitor"))
        limit = self._channel.max_chars
        if len(original) > limit:
            found.append(Finding("too_long", limit, len(original),
                                 f"answer is {len(original)} characters; the channel allows "
                                 f"{limit}"))
        lowered = norm.text.lower()
        if self._channel.disclosure_required and not any(p in lowered for p in self._disclosures):
            found.append(Finding("missing_disclosure", 0, 0, "this channel must say the answer "
                                 "comes from an automated assistant"))
        return found


class LinkCheck:
    def __init__(self, rules: LinkRules) -> None:
        tlds = "|".join(sorted((re.escape(t) for t in rules.top_level_domains), key=len,
                               reverse=True))
        self._url = re.compile(
            r"\b(?:https?://|www\.)[^\s<>()\"']+"
            rf"|(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:{tlds})\b(?:/[^\s<>()\"']*)?",
            re.IGNORECASE,
        )
        self._allowed = tuple(h.lower() for h in rules.allowed_hosts)

    def findings(self, norm: Normalised) -> list[Finding]:
        found = []
        for m in self._url.finditer(norm.text):
            host = _host(m.group())
            if not any(host == a or host.endswith("." + a) for a in self._allowed):
                found.append(_finding(norm, m, "link_not_allowed", "links to a host that is "
                                      "not on the allow-list"))
        return found


def _host(url: str) -> str:
    rest = re.sub(r"^[a-z]+://", "", url.lower())
    host = re.split(r"[/?#:]", rest, maxsplit=1)[0].rstrip(".,;!")
    return host.removeprefix("www.")


def _exact_pattern(names: tuple[str, ...]) -> str:
    parts = [r"\b" + r"\s+".join(re.escape(w) for w in n.split()) + r"\b" for n in names]
    return "|".join(parts) if parts else r"(?!)"


def _finding(norm: Normalised, m: re.Match[str], code: ViolationCode, what: str) -> Finding:
    start, end = norm.original_span(*m.span())
    return Finding(code, start, end, f"'{m.group()}' {what}")
